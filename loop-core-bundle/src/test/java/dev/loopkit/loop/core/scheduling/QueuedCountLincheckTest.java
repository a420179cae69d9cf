package dev.loopkit.loop.core.scheduling;

import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.Test;

/**
 * The callback count of {@code loop:loops} and the loop MBean ({@link Scheduler#queuedCount()}, read
 * while nobody runs the loop) against the blocked-loop checker's lag probes, which it leaves out,
 * arriving from another thread: the sequential answer is the callbacks scheduled, whatever the probes
 * do meanwhile. Lincheck's model checker explores a probe paused anywhere in its offer.
 *
 * <p>CI: {@code LoopCommandsTest.loopsListsTheLiveLoopsOfEachFactory} listed a loop with no callback
 * after scheduling one; the checker had sent a probe as the run ended.
 */
public class QueuedCountLincheckTest {

    private final Scheduler scheduler = FakeWaiter.unwatchedScheduler(); // the probes come from lagProbe() below
    private final BlockedLoopChecker.Watch watch = new BlockedLoopChecker.Watch(scheduler);

    /** {@code call_soon_threadsafe} while nobody runs the loop. */
    @Operation
    public void callSoonThreadsafe() {
        scheduler.schedule(scheduler.newHandle(() -> { }));
    }

    /** What the checker does when it finds the loop busy. */
    @Operation
    public void lagProbe() {
        scheduler.offerOwn(new BlockedLoopChecker.LagProbe(watch, scheduler, 1));
    }

    @Operation
    public int queuedCount() {
        return scheduler.queuedCount();
    }

    @Test
    public void probesOnTheirWayAreNeitherCountedNorHideACallback() {
        InboundQueueLincheckTest.modelCheck(QueuedCountLincheckTest.class, null);
    }
}
