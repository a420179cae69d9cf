package dev.loopkit.policy.shell;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.api.spi.RankedRegistry.Entry;
import dev.loopkit.api.spi.Registries;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletionException;

/**
 * {@code loop:run}: one program on a new loop of the process-wide policy, as {@code asyncio.run}
 * would run it, its output copied to the shell as it comes. The shell has no stdin to give it: the
 * child reads {@code /dev/null}. Interrupting the command (Ctrl-C) kills the child and still waits
 * for its exit, so that no zombie and no registration is left behind.
 */
final class ProgramRun implements SubprocessProtocol {

    private static final SubprocessOptions OPTIONS = SubprocessOptions.defaults().withStdin(SubprocessOptions.Redirect.DEVNULL);

    private final List<String> argv;
    private final PrintStream out;
    private final PrintStream err;
    private LoopFuture<Void> ended; // exited and both pipes closed; loop thread
    private boolean exited;
    private int pipesOpen = 2;

    ProgramRun(List<String> argv, PrintStream out, PrintStream err) {
        if (argv == null || argv.isEmpty()) {
            throw new IllegalArgumentException("loop:run needs a program: loop:run <program> [args...]");
        }
        this.argv = List.copyOf(argv);
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
    }

    String call() {
        EventLoopPolicy policy = Asyncio.getEventLoopPolicy();
        EventLoop loop = policy.newEventLoop();
        try {
            ended = loop.createFuture();
            long start = System.nanoTime();
            SubprocessTransport transport = spawn(loop);
            ChildWatcher watcher = policy.getChildWatcher(); // the one it was registered with
            boolean interrupted = false;
            try {
                loop.runUntilComplete(ended);
            } catch (IllegalStateException stopped) {
                if (!Thread.interrupted()) {
                    throw stopped;
                }
                interrupted = true;
                transport.kill();
                loop.runUntilComplete(ended);
            } finally {
                transport.close();
            }
            double millis = (System.nanoTime() - start) / 1e6;
            String line = describe(transport, millis, watcher, loop) + (interrupted ? "; interrupted: killed" : "");
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return line;
        } finally {
            loop.close();
        }
    }

    // A spawn fails with the OS's word for it ("No such file or directory: 'nosuchprog'"), which is
    // what the shell should print, not the checked exception's class wrapped around it.
    private SubprocessTransport spawn(EventLoop loop) {
        try {
            return loop.runUntilComplete(loop.subprocessExec(() -> this, argv, OPTIONS));
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException(cause.getMessage(), cause);
        }
    }

    private static String describe(SubprocessTransport transport, double millis, ChildWatcher watcher, EventLoop loop) {
        int returncode = transport.getReturncode();
        String how = returncode < 0 ? "killed by signal " + -returncode + " (returncode " + returncode + ")" : "returncode " + returncode;
        String watcherName = Registries.childWatchers().entryOf(watcher).map(Entry::name).orElse(watcher.getClass().getSimpleName());
        return String.format(Locale.ROOT, "pid %d: %s after %.1f ms (watcher %s, %s)", transport.getPid(), how, millis,
                watcherName, loop.getClass().getSimpleName());
    }

    @Override
    public void pipeDataReceived(int fd, ByteBuffer data) {
        PrintStream to = fd == 2 ? err : out;
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        to.write(bytes, 0, bytes.length);
        to.flush();
    }

    @Override
    public void pipeConnectionLost(int fd, Exception exc) {
        pipesOpen--;
        endIfDone();
    }

    @Override
    public void processExited() {
        exited = true;
        endIfDone();
    }

    // asyncio's subprocess waits for the pipes too: output written just before the exit still comes
    private void endIfDone() {
        if (exited && pipesOpen == 0 && !ended.isDone()) {
            ended.setResult(null);
        }
    }
}
