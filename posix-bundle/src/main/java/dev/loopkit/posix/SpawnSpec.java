package dev.loopkit.posix;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Posix#spawn(SpawnSpec)} starts: an immutable value, changed by {@code with...}
 * methods that return a new one.
 *
 * <pre>
 * SpawnSpec.of("cat").withStdin(Redirect.fd(childStdin)).withStdout(Redirect.fd(childStdout))
 * </pre>
 *
 * <p>Defaults are those of asyncio's {@code create_subprocess_exec}: the program is {@code argv[0]}
 * looked up in {@code PATH}, the parent's directory and environment, inherited standard streams,
 * no file descriptor but 0, 1 and 2 ({@code close_fds=True}), and, unlike a plain
 * {@code posix_spawn}, no blocked or ignored signal inherited from the JVM
 * ({@code restore_signals=True}).
 */
public final class SpawnSpec {

    private final List<String> argv;
    private final String program;
    private final boolean searchPath;
    private final Path cwd;
    private final Map<String, String> env;
    private final Redirect stdin;
    private final Redirect stdout;
    private final Redirect stderr;
    private final boolean closeOtherFds;
    private final boolean newProcessGroup;
    private final boolean newSession;
    private final boolean resetSignals;

    private SpawnSpec(List<String> argv, String program, boolean searchPath, Path cwd, Map<String, String> env,
            Redirect stdin, Redirect stdout, Redirect stderr,
            boolean closeOtherFds, boolean newProcessGroup, boolean newSession, boolean resetSignals) {
        this.argv = argv;
        this.program = program;
        this.searchPath = searchPath;
        this.cwd = cwd;
        this.env = env;
        this.stdin = Objects.requireNonNull(stdin, "stdin");
        this.stdout = Objects.requireNonNull(stdout, "stdout");
        this.stderr = Objects.requireNonNull(stderr, "stderr");
        this.closeOtherFds = closeOtherFds;
        this.newProcessGroup = newProcessGroup;
        this.newSession = newSession;
        this.resetSignals = resetSignals;
    }

    /** The program {@code argv[0]} with its arguments, everything else default. */
    public static SpawnSpec of(String... argv) {
        return of(List.of(argv));
    }

    /** The program {@code argv.get(0)} with its arguments, everything else default. */
    public static SpawnSpec of(List<String> argv) {
        Objects.requireNonNull(argv, "argv");
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must not be empty");
        }
        for (String arg : argv) {
            Objects.requireNonNull(arg, "argv element");
        }
        return new SpawnSpec(List.copyOf(argv), null, true, null, null,
                Redirect.INHERIT, Redirect.INHERIT, Redirect.INHERIT, true, false, false, true);
    }

    /** The arguments, {@code argv[0]} first. */
    public List<String> argv() {
        return argv;
    }

    /** The program to run: {@link #withProgram(String) set}, else {@code argv[0]} (Python's {@code executable}). */
    public String program() {
        return program != null ? program : argv.get(0);
    }

    /**
     * Whether a program name without a slash is looked up in {@code PATH} ({@code posix_spawnp}, the
     * default) or taken as a path ({@code posix_spawn}). With {@link #env()} given, the lookup uses
     * its {@code PATH}, as Python's does.
     */
    public boolean searchPath() {
        return searchPath;
    }

    /** The child's working directory, or {@code null} for the parent's. */
    public Path cwd() {
        return cwd;
    }

    /** The child's whole environment (unmodifiable, in insertion order), or {@code null} to inherit the parent's. */
    public Map<String, String> env() {
        return env;
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

    /** Whether the child keeps only 0, 1 and 2 (default {@code true}, Python's {@code close_fds=True}). */
    public boolean closeOtherFds() {
        return closeOtherFds;
    }

    /** Whether the child leads a new process group (Python's {@code process_group=0}). */
    public boolean newProcessGroup() {
        return newProcessGroup;
    }

    /** Whether the child leads a new session (Python's {@code start_new_session=True}). */
    public boolean newSession() {
        return newSession;
    }

    /**
     * Whether the child starts with no blocked signal and every signal at its default action
     * (default {@code true}, Python's {@code restore_signals=True}, more thoroughly): the JVM blocks
     * SIGQUIT in its threads and may ignore others, and glibc's posix_spawn leaves its internal
     * signals 32 and 33 ignored, all of which a child would otherwise keep across exec.
     */
    public boolean resetSignals() {
        return resetSignals;
    }

    public SpawnSpec withProgram(String program) {
        return new SpawnSpec(argv, Objects.requireNonNull(program, "program"), searchPath, cwd, env,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    public SpawnSpec withSearchPath(boolean searchPath) {
        return new SpawnSpec(argv, program, searchPath, cwd, env,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    /** The child's working directory; {@code null} for the parent's. Needs glibc 2.29 or later. */
    public SpawnSpec withCwd(Path cwd) {
        return new SpawnSpec(argv, program, searchPath, cwd, env,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    /** The child's whole environment (copied); {@code null} to inherit the parent's. */
    public SpawnSpec withEnv(Map<String, String> env) {
        Map<String, String> copy = null;
        if (env != null) {
            copy = new LinkedHashMap<>();
            for (Map.Entry<String, String> entry : env.entrySet()) {
                String name = Objects.requireNonNull(entry.getKey(), "environment variable name");
                if (name.indexOf('=') >= 0) { // Python refuses only this: an empty name goes as "=value"
                    throw new IllegalArgumentException("illegal environment variable name: '" + name + "'");
                }
                copy.put(name, Objects.requireNonNull(entry.getValue(), "value of environment variable " + name));
            }
            copy = Collections.unmodifiableMap(copy);
        }
        return new SpawnSpec(argv, program, searchPath, cwd, copy,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    public SpawnSpec withStdin(Redirect stdin) {
        return new SpawnSpec(argv, program, searchPath, cwd, env,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    public SpawnSpec withStdout(Redirect stdout) {
        return new SpawnSpec(argv, program, searchPath, cwd, env,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    public SpawnSpec withStderr(Redirect stderr) {
        return new SpawnSpec(argv, program, searchPath, cwd, env,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    /** Needs glibc 2.34 or later when {@code true} ({@code posix_spawn_file_actions_addclosefrom_np}). */
    public SpawnSpec withCloseOtherFds(boolean closeOtherFds) {
        return new SpawnSpec(argv, program, searchPath, cwd, env,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    public SpawnSpec withNewProcessGroup(boolean newProcessGroup) {
        return new SpawnSpec(argv, program, searchPath, cwd, env,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    public SpawnSpec withNewSession(boolean newSession) {
        return new SpawnSpec(argv, program, searchPath, cwd, env,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    public SpawnSpec withResetSignals(boolean resetSignals) {
        return new SpawnSpec(argv, program, searchPath, cwd, env,
                stdin, stdout, stderr, closeOtherFds, newProcessGroup, newSession, resetSignals);
    }

    @Override
    public String toString() {
        return "SpawnSpec" + argv + (program != null ? " program " + program : "")
                + (cwd != null ? " cwd " + cwd : "") + (env != null ? " env " + env.keySet() : "")
                + " stdin " + stdin + " stdout " + stdout + " stderr " + stderr
                + (closeOtherFds ? "" : " keeping other fds") + (newProcessGroup ? " new process group" : "")
                + (newSession ? " new session" : "") + (resetSignals ? "" : " inheriting signal dispositions");
    }
}
