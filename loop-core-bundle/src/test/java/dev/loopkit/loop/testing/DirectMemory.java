package dev.loopkit.loop.testing;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** The JVM's direct memory in use, for tests that check a loop keeps none of a transfer's size. */
public final class DirectMemory {

    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();

    private DirectMemory() {
    }

    /** Direct memory in use now, what is unreachable included. */
    public static long used() {
        return DIRECT.getMemoryUsed();
    }

    /**
     * Direct memory in use once what is unreachable was freed: an earlier test's loop left its buffers
     * to the GC, and their cleaners free them some time after a collection.
     */
    public static long inUse() {
        System.gc();
        long[] seen = {-1, 0}; // the last figure, and how many looks in a row gave it
        Leaks.await(() -> { // settled: 20 looks, a millisecond apart, agree (1 s at most)
            long now = DIRECT.getMemoryUsed();
            seen[1] = now == seen[0] ? seen[1] + 1 : 0;
            seen[0] = now;
            return seen[1] >= 20;
        }, 1);
        return DIRECT.getMemoryUsed();
    }

    /**
     * Runs {@code body}, and the loop with it, on a thread of its own, for at most {@code seconds}: the JDK
     * keeps a thread's temporary direct buffers until the thread ends, and this one starts with none (the
     * test thread would carry an earlier test's).
     */
    public static void onAThreadOfItsOwn(Callable<Void> body, long seconds) throws Exception {
        FutureTask<Void> task = new FutureTask<>(body);
        Thread thread = new Thread(task, "direct-memory-probe");
        thread.start();
        try {
            task.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error; // the test's own assertion, as thrown on the test thread
            }
            throw e.getCause() instanceof Exception exception ? exception : e;
        } finally {
            thread.join(TimeUnit.SECONDS.toMillis(seconds)); // ended, unless it hung
        }
    }
}
