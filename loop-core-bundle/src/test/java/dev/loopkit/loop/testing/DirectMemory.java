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
    public static long inUse() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 40 && DIRECT.getMemoryUsed() != used; i++) {
            used = DIRECT.getMemoryUsed();
            System.gc();
            Thread.sleep(25);
        }
        return DIRECT.getMemoryUsed();
    }
}
