package dev.loopkit.loop.core.scheduling;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.Test;

/**
 * Nothing lost at close: producers call the scheduler as {@code callSoonThreadsafe} does (the loop's
 * check that it is open, then {@link Scheduler#schedule}, which checks again after its offer and
 * withdraws) while the loop runs iterations ({@link Scheduler#runOnce} over a wait that never blocks)
 * and closes ({@link Scheduler#drainForClose}). The real scheduler: a copy of its protocol in the
 * test held while the scheduler's own check after the offer was deleted (an outside review's
 * mutation). Lincheck's model checker explores the interleavings, the swap-link gap and the window
 * between a producer's check and its offer included, and checks that every accepted callback was run
 * or reported exactly once and every refused one never. Short by default; {@code -Dlincheck.scale=20}
 * for a long run (docs/TESTING.md).
 */
public class CloseLincheckTest {

    private final Scheduler scheduler = FakeWaiter.unwatchedScheduler();
    private final AtomicInteger made = new AtomicInteger();
    private final AtomicReferenceArray<Counted> handles = new AtomicReferenceArray<>(64);

    /** A handle that is its own callback, counting how often it was run or reported, and whether its producer was told "accepted". */
    static final class Counted extends InboundHandle implements Runnable {
        int delivered; // the loop's threads only, one at a time
        volatile boolean accepted;

        @Override
        public void run() {
            delivered++;
        }
    }

    @Operation
    public boolean callSoonThreadsafe() {
        Counted handle = new Counted();
        handles.set(made.getAndIncrement(), handle);
        try {
            scheduler.checkOpen(); // BaseEventLoop's checkClosed
            scheduler.schedule(handle);
        } catch (IllegalStateException closed) {
            return false;
        }
        handle.accepted = true;
        return true;
    }

    /** runForever with one iteration, as LifecycleLincheckTest's run. */
    @Operation(nonParallelGroup = "loop")
    public void iteration() {
        try {
            scheduler.beginRun();
        } catch (IllegalStateException closed) {
            return;
        }
        scheduler.runOnce();
        scheduler.endRun();
    }

    @Operation(nonParallelGroup = "loop")
    public void close() {
        if (scheduler.beginClose()) {
            for (CallbackHandle reported : scheduler.drainForClose()) {
                ((Counted) reported).delivered++;
            }
            scheduler.finishClose();
        }
    }

    // Lincheck validates between operations too: before the close a callback may still wait.
    @Validate
    public void everyAcceptedCallbackRanOrWasReportedOnce() {
        for (int i = 0; i < made.get(); i++) {
            Counted handle = handles.get(i);
            int most = handle.accepted ? 1 : 0;
            boolean closed = scheduler.state() == LoopState.CLOSED;
            int least = handle.accepted && closed ? 1 : 0;
            if (handle.delivered < least || handle.delivered > most) {
                throw new IllegalStateException("callback " + i + (handle.accepted ? " accepted" : " refused")
                        + " but run or reported " + handle.delivered + " times" + (closed ? " by the close" : ""));
            }
        }
    }

    @Test
    public void everyAcceptedCallbackRunsOrIsReported() {
        InboundQueueLincheckTest.modelCheck(CloseLincheckTest.class, null);
    }
}
