package dev.loopkit.testsupport;

import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * This JVM at the host's limit of tasks: while {@link #during} runs, no thread starts
 * ({@code Thread.start} throws {@code OutOfMemoryError: unable to create native thread}) and no
 * process is spawned ({@code EAGAIN}), as a plugin host at its {@code RLIMIT_NPROC} or its
 * container's pids limit meets them. Real failures, not fakes: the JVM joins a cgroup v1 pids group of
 * its own, whose limit is set to the tasks it has. A test that cannot make the group (not root, no
 * pids controller) is skipped.
 *
 * <p>Other threads of the JVM (the JIT's, a pool's) cannot start in that moment either, so keep
 * {@link #during} to the one call that must fail. One of them that ends in that moment frees a task, and
 * the call may then not fail: tests {@link #assumeItFailed} rather than fail on that.
 */
public final class NoNewThreads implements AutoCloseable {

    private static final Path PIDS = Path.of("/sys/fs/cgroup/pids");

    private final Path group;
    /** The group the JVM was in, where {@link #close} puts it back (a container's, a service's slice). */
    private final Path home;

    private NoNewThreads(Path group, Path home) {
        this.group = group;
        this.home = home;
    }

    /** Puts this JVM in a pids group of its own, unlimited until {@link #during}; skips the test where it cannot. */
    public static NoNewThreads join() {
        assumeTrue("no cgroup v1 pids controller at " + PIDS, Files.isWritable(PIDS.resolve("cgroup.procs")));
        Path group = PIDS.resolve("loopkit-test-" + ProcessHandle.current().pid());
        Path home = PIDS;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] fields = line.split(":", 3); // id:controllers:path
                if (fields.length == 3 && List.of(fields[1].split(",")).contains("pids")) {
                    home = PIDS.resolve(fields[2].substring(1));
                }
            }
            Files.createDirectories(group);
            write(group.resolve("pids.max"), "max");
            write(group.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
        } catch (UncheckedIOException | IOException e) {
            assumeTrue("cannot make a pids group here: " + e, false);
        }
        return new NoNewThreads(group, home);
    }

    /** Runs {@code action} while this JVM can start no thread and spawn no process. */
    public void during(Runnable action) {
        during(0, action);
    }

    /** Runs {@code action} while this JVM can start {@code spare} more threads or processes (a child), no more. */
    public void during(int spare, Runnable action) {
        try {
            long tasks = Long.parseLong(Files.readString(group.resolve("pids.current")).trim());
            write(group.resolve("pids.max"), Long.toString(tasks + spare));
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            write(group.resolve("pids.max"), "max");
        }
    }

    /** Skips the test when the call meant to fail did not: a thread of the JVM ended in the window. */
    public static void assumeItFailed(Object failure) {
        assumeTrue("the call did not fail: a thread of this JVM ended while the limit held", failure != null);
    }

    /**
     * Back in the group it came from, and this group removed once it is empty: a child spawned meanwhile is in it
     * until it is reaped (a spawn that failed kills its child, which its watcher reaps a moment later),
     * and is moved out too. A group still busy after that is left, empty of this JVM, for the next test.
     */
    @Override
    public void close() {
        write(home.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                for (String pid : Files.readAllLines(group.resolve("cgroup.procs"))) {
                    try {
                        write(home.resolve("cgroup.procs"), pid.trim());
                    } catch (UncheckedIOException goneOrZombie) {
                        // reaped meanwhile, or a zombie its parent is about to reap
                    }
                }
                Files.delete(group);
                return;
            } catch (IOException busy) {
                if (System.nanoTime() > deadline) {
                    System.err.println("NoNewThreads: " + group + " left behind: " + busy);
                    return;
                }
                try {
                    Thread.sleep(20); // a child's reaping, on its watcher's thread: nothing here to wait on
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
