package dev.loopkit.loop.core.scheduling;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.Test;

/**
 * Nothing lost at close: producers schedule as {@code callSoonThreadsafe} does (check closed, offer,
 * check closed again and withdraw) while the loop runs iterations and closes. Lincheck's model
 * checker explores the interleavings, the swap-link gap and the window between a producer's check
 * and its offer included, and checks that every accepted callback was run or reported exactly once
 * and every refused one never. Short by default; {@code -Dlincheck.scale=20} for a long run
 * (docs/TESTING.md).
 */
public class CloseLincheckTest {

    private final InboundQueue queue = new InboundQueue();
    private volatile boolean closed;
    private final AtomicInteger made = new AtomicInteger();
    private final AtomicReferenceArray<Counted> handles = new AtomicReferenceArray<>(64);

    /** A handle that counts how often it was run or reported, and whether its producer was told "accepted". */
    static final class Counted extends CallbackHandle {
        int delivered; // loop only
        volatile boolean accepted;

        Counted() {
            super(() -> { });
        }
    }

    @Operation
    public boolean callSoonThreadsafe() {
        if (closed) {
            return false; // checkClosed
        }
        Counted handle = new Counted();
        handles.set(made.getAndIncrement(), handle);
        queue.offer(handle);
        if (closed && queue.withdraw(handle)) {
            return false;
        }
        handle.accepted = true;
        return true;
    }

    @Operation(nonParallelGroup = "loop")
    public void iteration() {
        if (!closed) {
            queue.drain(handle -> ((Counted) handle).delivered++);
        }
    }

    @Operation(nonParallelGroup = "loop")
    public void close() {
        if (!closed) {
            closed = true;
            queue.drainClosed(handle -> ((Counted) handle).delivered++); // reported
        }
    }

    // Lincheck validates between operations too: before the close a callback may still wait.
    @Validate
    public void everyAcceptedCallbackRanOrWasReportedOnce() {
        for (int i = 0; i < made.get(); i++) {
            Counted handle = handles.get(i);
            int most = handle.accepted ? 1 : 0;
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
