package dev.loopkit.loop.core.scheduling;

import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.Test;

/**
 * Lincheck's model checker explores cancels from any thread racing the loop thread that runs the
 * handle: the cancel is one compare-and-set on the handle's callback (a handle is that one field),
 * so exactly one cancel succeeds, a handle the loop reads after the cancel runs nothing, and what
 * it says ({@code isCancelled}, its text) follows the cancel. Each outcome must be one a sequence of
 * the same calls gives.
 */
public class HandleCancelLincheckTest {

    private final Counter callback = new Counter();
    private final CallbackHandle handle = new CallbackHandle(callback);

    /** {@code true} for the call that cancelled. */
    @Operation
    public boolean cancel() {
        return handle.markCancelled();
    }

    @Operation
    public boolean isCancelled() {
        return handle.isCancelled();
    }

    @Operation
    public String text() {
        return handle.toString();
    }

    /** The loop thread: what {@code Scheduler.invoke} does with a handle it took; whether the callback ran. */
    @Operation(nonParallelGroup = "loop")
    public boolean run() {
        int before = callback.runs;
        handle.callback.run();
        return callback.runs > before;
    }

    @Test
    public void exactlyOneCancelWinsAndACancelledHandleRunsNothing() {
        // 60 scenarios, not 6: a handle's calls are cheap (about six seconds here), and with 6 the
        // check missed both a text read across a cancel and a cancel without its compare-and-set.
        InboundQueueLincheckTest.modelCheck(HandleCancelLincheckTest.class, null, 60);
    }

    /** The user's callback: counts its runs (on the loop thread only). */
    static final class Counter implements Runnable {
        int runs;

        @Override
        public void run() {
            runs++;
        }

        @Override
        public String toString() {
            return "counter";
        }
    }
}
