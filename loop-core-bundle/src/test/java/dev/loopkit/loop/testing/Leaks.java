package dev.loopkit.loop.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** What a test checks to show nothing leaked: open file descriptors and live Loopkit threads. */
public final class Leaks {

    private Leaks() {
    }

    /**
     * The open file descriptors of this process ({@code /proc/self/fd}) and what they point to,
     * leaving out jar files, which the JVM opens lazily as classes are loaded, and this listing's own descriptor.
     */
    public static Map<Integer, String> openFds() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                try {
                    String target = Files.readSymbolicLink(entry).toString();
                    boolean listing = target.equals("/proc/" + ProcessHandle.current().pid() + "/fd");
                    if (!target.endsWith(".jar") && !listing) {
                        fds.put(Integer.valueOf(entry.getFileName().toString()), target);
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed while we listed
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return fds;
    }

    /**
     * The descriptors open now that were not in {@code before} and stay open: what leaked since. A
     * descriptor that closes within five seconds is not a leak: the JVM's container support opens
     * cgroup files for a moment (seen: {@code memory.limit_in_bytes} listed once in a run of
     * {@code mvn verify}), and on two busy cores a closing thread may be scheduled late. Without a
     * leak this returns at the first look; only a leak waits the whole time.
     */
    public static Map<Integer, String> newFds(Map<Integer, String> before) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            Map<Integer, String> added = new TreeMap<>(openFds());
            // A file unlinked meanwhile reads "<path> (deleted)": the same descriptor (surefire deletes its
            // booter jar while the test JVM holds it open; a module run counted it as left by a dropped loop)
            added.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey()))
                    || e.getValue().equals(before.get(e.getKey()) + " (deleted)"));
            if (added.isEmpty() || System.nanoTime() > deadline) {
                return added;
            }
            LockSupport.parkNanos(10_000_000);
        }
    }

    /** Names of live threads starting with {@code prefix}. */
    public static List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).map(Thread::getName).filter(n -> n.startsWith(prefix)).sorted().toList();
    }

    /** Waits up to {@code seconds} for {@code condition}; returns whether it became true. */
    public static boolean await(BooleanSupplier condition, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.onSpinWait();
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }
}
