package dev.loopkit.loop.core.scheduling;

import dev.loopkit.loop.core.BaseEventLoop;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.Test;

/**
 * No lost wake-up: Lincheck's model checker runs producers offering (as {@code callSoonThreadsafe}
 * does) against the loop's iteration (drain, arm, go to sleep) in every interleaving it finds, and
 * checks at the end that a loop asleep with a callback queued has been woken. Short by default;
 * {@code -Dlincheck.scale=20} for a long run (docs/TESTING.md).
 */
public class WakeupLincheckTest {

    private final InboundQueue queue = new InboundQueue();
    /** LockSupport's permit, as the winning producer's {@code wakeup()} gives it. */
    private volatile boolean woken;
    /** Loop only: it armed and found nothing queued, so it blocks now. */
    private boolean asleep;

    @Operation
    public void callSoonThreadsafe() {
        if (queue.offer(new CallbackHandle(() -> { }))) {
            woken = true;
        }
    }

    /** One iteration of BaseEventLoop.runOnce, as far as the inbound queue goes. */
    @Operation(nonParallelGroup = "loop")
    public void iteration() {
        if (asleep) { // the wait ended: woken, timed out, or spuriously
            queue.disarm();
            asleep = false;
        }
        queue.drain(handle -> { });
        woken = false; // a permit left from an earlier wake-up would only make the wait return early
        asleep = queue.armBeforeSleeping();
    }

    @Validate
    public void aSleepingLoopWithACallbackQueuedWasWoken() {
        if (asleep && !woken && queue.offerBegun()) {
            throw new IllegalStateException("lost wake-up: the loop sleeps with a callback queued, and nobody woke it");
        }
    }

    @Test
    public void noWakeUpIsLost() {
        InboundQueueLincheckTest.modelCheck(WakeupLincheckTest.class, null);
    }
}
