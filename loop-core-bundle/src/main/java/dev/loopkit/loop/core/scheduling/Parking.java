package dev.loopkit.loop.core.scheduling;

import java.util.concurrent.locks.LockSupport;

/**
 * The wait of a loop whose events all come from other threads (the proactor's completions arrive
 * with {@code callSoonThreadsafe}): the loop thread parks, a wake-up unparks it. LockSupport's
 * permit keeps a wake-up that comes before the park, so none is lost.
 */
public final class Parking {

    private Parking() {
    }

    /** Parks the calling thread at most {@code timeoutNanos} ({@code -1}: until woken, {@code 0}: not at all). */
    public static void await(Object blocker, long timeoutNanos) {
        if (timeoutNanos < 0) {
            LockSupport.park(blocker);
        } else if (timeoutNanos > 0) {
            LockSupport.parkNanos(blocker, timeoutNanos);
        }
    }

    /** Wakes {@code loopThread} from {@link #await}, or makes its next one return at once; nothing if {@code null}. */
    public static void wake(Thread loopThread) {
        if (loopThread != null) {
            LockSupport.unpark(loopThread);
        }
    }
}
