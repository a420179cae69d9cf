package dev.loopkit.karaf.itests;

import static org.junit.Assert.fail;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for what happens asynchronously in Karaf (file install, ConfigAdmin events, DS), with a deadline. */
final class Await {

    private static final double SECONDS = 30;

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        if (!within(SECONDS, condition)) {
            fail("still not " + what + " after " + SECONDS + " s");
        }
    }

    /** Whether {@code condition} holds within {@code seconds}. */
    static boolean within(double seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(20_000_000);
        }
        return true;
    }
}
