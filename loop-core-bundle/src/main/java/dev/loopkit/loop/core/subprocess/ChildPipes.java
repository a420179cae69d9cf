package dev.loopkit.loop.core.subprocess;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.SpawnSpec;
import java.util.List;

/**
 * The pipes of a child about to be spawned: for each standard stream that is a {@code PIPE}, both
 * ends (close-on-exec); the child's ends go into the spawn's file actions and are closed in the
 * parent right after, the parent's ends become the pipe transports. Nothing leaks on failure.
 */
final class ChildPipes {

    private static final int NONE = -1;

    private final Posix posix;
    /** Indexed by the child's fd 0, 1, 2. */
    private final int[] parentEnds = {NONE, NONE, NONE};
    private final int[] childEnds = {NONE, NONE, NONE};

    private ChildPipes(Posix posix) {
        this.posix = posix;
    }

    static ChildPipes open(Posix posix, SubprocessOptions options) throws PosixException {
        ChildPipes pipes = new ChildPipes(posix);
        try {
            if (options.stdin() == Redirect.PIPE) {
                int[] pipe = posix.pipe();
                pipes.childEnds[0] = pipe[0];
                pipes.parentEnds[0] = pipe[1];
            }
            if (options.stdout() == Redirect.PIPE) {
                int[] pipe = posix.pipe();
                pipes.parentEnds[1] = pipe[0];
                pipes.childEnds[1] = pipe[1];
            }
            if (options.stderr() == Redirect.PIPE) {
                int[] pipe = posix.pipe();
                pipes.parentEnds[2] = pipe[0];
                pipes.childEnds[2] = pipe[1];
            }
            return pipes;
        } catch (PosixException e) {
            pipes.closeAll();
            throw e;
        }
    }

    /** The spawn request: argv, redirections, directory, environment, process group. */
    SpawnSpec spec(List<String> argv, SubprocessOptions options) {
        SpawnSpec spec = SpawnSpec.of(argv).withSearchPath(true)
                .withStdin(redirect(0, options.stdin()))
                .withStdout(redirect(1, options.stdout()))
                .withStderr(options.stderr() == Redirect.STDOUT ? stderrToStdout(options) : redirect(2, options.stderr()))
                .withNewProcessGroup(options.newProcessGroup())
                .withNewSession(options.startNewSession());
        if (options.cwd() != null) {
            spec = spec.withCwd(options.cwd());
        }
        if (options.env() != null) {
            spec = spec.withEnv(options.env());
        }
        return spec;
    }

    private dev.loopkit.posix.Redirect redirect(int stream, Redirect choice) {
        return switch (choice) {
            case PIPE -> dev.loopkit.posix.Redirect.fd(childEnds[stream]);
            case DEVNULL -> dev.loopkit.posix.Redirect.DEVNULL;
            case INHERIT -> dev.loopkit.posix.Redirect.INHERIT;
            case STDOUT -> throw new IllegalArgumentException("only stderr can go to STDOUT");
        };
    }

    // asyncio's stderr=STDOUT: the child's fd 2 is whatever its fd 1 is.
    private dev.loopkit.posix.Redirect stderrToStdout(SubprocessOptions options) {
        return switch (options.stdout()) {
            case PIPE -> dev.loopkit.posix.Redirect.fd(childEnds[1]);
            case DEVNULL -> dev.loopkit.posix.Redirect.DEVNULL;
            default -> dev.loopkit.posix.Redirect.fd(1);
        };
    }

    /** The parent's end for the child's stream 0, 1 or 2, or -1 when that stream is not a pipe. */
    int parentEnd(int stream) {
        return parentEnds[stream];
    }

    /** The parent's end for {@code stream} now belongs to the transport made over it: no longer closed here. */
    void handedOver(int stream) {
        parentEnds[stream] = NONE;
    }

    /** After the spawn (or its failure): the child has its own copies now. */
    void closeChildEnds() {
        closeAll(childEnds);
    }

    /** Both ends of every pipe not handed over. */
    void closeAll() {
        closeAll(childEnds);
        closeAll(parentEnds);
    }

    private void closeAll(int[] fds) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] != NONE) {
                try {
                    posix.close(fds[i]);
                } catch (PosixException ignored) {
                    // already gone
                }
                fds[i] = NONE;
            }
        }
    }
}
