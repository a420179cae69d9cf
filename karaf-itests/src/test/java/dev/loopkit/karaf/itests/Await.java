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
        long deadline = System.nanoTime() + (long) (SECONDS * 1e9);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("still not " + what + " after " + SECONDS + " s");
            }
            LockSupport.parkNanos(20_000_000);
        }
    }
}
