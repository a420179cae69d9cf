package dev.loopkit.loop.core.scheduling;

import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.Test;

/**
 * No lost wake-up: Lincheck's model checker runs producers scheduling through the scheduler (as
 * {@code callSoonThreadsafe} does) against the loop's iterations in every interleaving it finds, and
 * checks that a loop waiting with a callback queued has been woken. The iteration is the scheduler's
 * own ({@link Scheduler#beforeWait}, the wait, {@link Scheduler#endWait}, {@link Scheduler#afterWait}),
 * with the wait lasting from one operation to the next: a copy of the sequence in the test held while
 * the scheduler ignored that a producer had come in just before it armed (an outside review's
 * mutation). Short by default; {@code -Dlincheck.scale=20} for a long run (docs/TESTING.md).
 */
public class WakeupLincheckTest {

    /** A wait that returns at once, noting the wake-ups: LockSupport's permit, an eventfd written. */
    private static final class WakeupsNoted implements EventWaiter {
        volatile boolean woken;

        @Override
        public void await(long timeoutNanos) {
        }

        @Override
        public void wakeup() {
            woken = true;
        }
    }

    private final WakeupsNoted waiter = new WakeupsNoted();
    private final Scheduler scheduler = new Scheduler(waiter, (handle, failure) -> { });
    /** Loop only: the timeout of the wait under way, which lasts until the next iteration; 0: none may block. */
    private long waiting;

    public WakeupLincheckTest() {
        scheduler.setBlockedLoopWarningNanos(0); // its checker is a thread of its own, which the model does not hold
    }

    @Operation
    public void callSoonThreadsafe() {
        scheduler.schedule(scheduler.newHandle(() -> { }));
    }

    /** The end of the wait under way (woken, timed out or spuriously) and the next iteration up to its wait. */
    @Operation(nonParallelGroup = "loop")
    public void iteration() {
        scheduler.beginRun();
        try {
            scheduler.endWait(waiting);
            scheduler.afterWait();
            waiter.woken = false; // a wake-up from before the arming would only make the wait return early
            waiting = scheduler.beforeWait();
        } finally {
            scheduler.endRun();
        }
    }

    @Validate
    public void aWaitingLoopWithACallbackQueuedWasWoken() {
        if (waiting != 0 && !waiter.woken && scheduler.queuedCount() > 0) {
            throw new IllegalStateException("lost wake-up: the loop waits with a callback queued, and nobody woke it");
        }
    }

    @Test
    public void noWakeUpIsLost() {
        InboundQueueLincheckTest.modelCheck(WakeupLincheckTest.class, null);
    }
}
