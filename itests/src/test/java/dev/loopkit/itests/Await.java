package dev.loopkit.itests;

import static org.junit.Assert.fail;

import dev.loopkit.api.EventLoop;
import dev.loopkit.runtime.ProcessWide;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for what happens asynchronously in a framework (DS activation, ConfigAdmin updates), with a deadline. */
public final class Await {

    private static final double SECONDS = 20;

    private Await() {
    }

    public static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + (long) (SECONDS * 1e9);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("still not " + what + " after " + SECONDS + " s");
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    /** The platform inside the framework is up: every watcher and policy registered, the main loop running. */
    public static void platformUp() {
        Pidfds.awaitWatchersRegistered();
        until("the main loop running", Await::mainLoopRunning);
        EpollPolicy.awaitRegistered();
    }

    /** Whether a main loop is there and runs. */
    public static boolean mainLoopRunning() {
        EventLoop loop = ProcessWide.get().mainContext().loop();
        return loop != null && loop.isRunning();
    }

    public static <T> void until(String what, Supplier<T> value, T expected) {
        long deadline = System.nanoTime() + (long) (SECONDS * 1e9);
        T last;
        while (!expected.equals(last = value.get())) {
            if (System.nanoTime() > deadline) {
                fail("still not " + what + " after " + SECONDS + " s: expected " + expected + ", was " + last);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
