package dev.loopkit.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The keyword arguments of asyncio's {@code subprocess_exec}: where the child's standard streams
 * go, its working directory and environment, and its process group. Immutable; each
 * {@code with…} method returns a changed copy. The defaults are asyncio's: three pipes, the
 * parent's directory and environment.
 */
public final class SubprocessOptions {

    /** Where a standard stream of the child goes: asyncio's {@code PIPE}, {@code DEVNULL}, {@code STDOUT}, or {@code None} (inherit). */
    public enum Redirect {
        /** A pipe to the loop. */
        PIPE,
        /** {@code /dev/null}. */
        DEVNULL,
        /** The parent's own stream. */
        INHERIT,
        /** For stderr only: the same place as stdout. */
        STDOUT
    }

    private static final SubprocessOptions DEFAULTS =
            new SubprocessOptions(Redirect.PIPE, Redirect.PIPE, Redirect.PIPE, null, null, false, false);

    private final Redirect stdin;
    private final Redirect stdout;
    private final Redirect stderr;
    private final Path cwd;
    private final Map<String, String> env;
    private final boolean newProcessGroup;
    private final boolean startNewSession;

    private SubprocessOptions(Redirect stdin, Redirect stdout, Redirect stderr, Path cwd,
            Map<String, String> env, boolean newProcessGroup, boolean startNewSession) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.cwd = cwd;
        this.env = env;
        this.newProcessGroup = newProcessGroup;
        this.startNewSession = startNewSession;
    }

    public static SubprocessOptions defaults() {
        return DEFAULTS;
    }

    public SubprocessOptions withStdin(Redirect redirect) {
        if (Objects.requireNonNull(redirect, "stdin") == Redirect.STDOUT) {
            throw new IllegalArgumentException("stdin cannot be redirected to STDOUT");
        }
        return new SubprocessOptions(redirect, stdout, stderr, cwd, env, newProcessGroup, startNewSession);
    }

    public SubprocessOptions withStdout(Redirect redirect) {
        if (Objects.requireNonNull(redirect, "stdout") == Redirect.STDOUT) {
            throw new IllegalArgumentException("stdout cannot be redirected to STDOUT");
        }
        return new SubprocessOptions(stdin, redirect, stderr, cwd, env, newProcessGroup, startNewSession);
    }

    public SubprocessOptions withStderr(Redirect redirect) {
        Objects.requireNonNull(redirect, "stderr");
        return new SubprocessOptions(stdin, stdout, redirect, cwd, env, newProcessGroup, startNewSession);
    }

    /** The child's working directory; {@code null} keeps the parent's. */
    public SubprocessOptions withCwd(Path directory) {
        return new SubprocessOptions(stdin, stdout, stderr, directory, env, newProcessGroup, startNewSession);
    }

    /** The child's whole environment; {@code null} inherits the parent's. */
    public SubprocessOptions withEnv(Map<String, String> environment) {
        if (environment != null) {
            environment.forEach((name, value) -> {
                Objects.requireNonNull(name, "environment variable name");
                Objects.requireNonNull(value, () -> "value of environment variable " + name);
            });
        }
        Map<String, String> copy = environment == null ? null : Map.copyOf(environment);
        return new SubprocessOptions(stdin, stdout, stderr, cwd, copy, newProcessGroup, startNewSession);
    }

    /** asyncio's {@code process_group=0}: the child leads a new process group. */
    public SubprocessOptions withNewProcessGroup(boolean value) {
        return new SubprocessOptions(stdin, stdout, stderr, cwd, env, value, startNewSession);
    }

    /** asyncio's {@code start_new_session=True}: the child runs {@code setsid()}. */
    public SubprocessOptions withStartNewSession(boolean value) {
        return new SubprocessOptions(stdin, stdout, stderr, cwd, env, newProcessGroup, value);
    }

    public Redirect stdin() {
        return stdin;
    }

    public Redirect stdout() {
        return stdout;
    }

    public Redirect stderr() {
        return stderr;
    }

    public Path cwd() {
        return cwd;
    }

    public Map<String, String> env() {
        return env;
    }

    public boolean newProcessGroup() {
        return newProcessGroup;
    }

    public boolean startNewSession() {
        return startNewSession;
    }

    @Override
    public String toString() {
        return "SubprocessOptions[stdin=" + stdin + ", stdout=" + stdout + ", stderr=" + stderr
                + (cwd == null ? "" : ", cwd=" + cwd) + (env == null ? "" : ", env=" + env.size() + " entries")
                + (newProcessGroup ? ", newProcessGroup" : "") + (startNewSession ? ", startNewSession" : "") + "]";
    }
}
