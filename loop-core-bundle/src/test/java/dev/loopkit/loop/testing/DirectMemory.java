package dev.loopkit.loop.testing;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

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
}
