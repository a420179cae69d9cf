package dev.loopkit.loop.core.scheduling;

import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.Test;

/**
 * The lifecycle's compare-and-set state against runs, stops, closes and shutdowns from several
 * threads at once: Lincheck's model checker explores the interleavings (a shutdown arriving while a
 * run ends included, which used to be settled by catching an exception) and checks that the loop is
 * closed at most once, that a shutdown always ends in a closed loop, and that nobody is left owning
 * it. Operations return nothing: what matters is the state they leave, checked by the validation.
 */
public class LifecycleLincheckTest {

    private final Scheduler scheduler = FakeWaiter.unwatchedScheduler();
    private final AtomicInteger closes = new AtomicInteger();
    private volatile boolean shutdownAsked;

    /** runForever with one iteration: begin, iterate, end, and close if a shutdown came meanwhile. */
    @Operation
    public void run() {
        try {
            scheduler.beginRun();
        } catch (IllegalStateException alreadyRunningOrClosed) {
            return;
        }
        scheduler.runOnce();
        if (scheduler.endRun()) {
            closeOwned();
        }
    }

    @Operation
    public void stop() {
        scheduler.stop();
    }

    @Operation
    public void shutdown() {
        shutdownAsked = true;
        if (scheduler.requestShutdown()) {
            closeOwned();
        }
    }

    @Operation
    public void close() {
        try {
            if (scheduler.beginClose()) {
                closeOwned();
            }
        } catch (IllegalStateException running) {
            // "Cannot close a running event loop"
        }
    }

    private void closeOwned() {
        closes.incrementAndGet();
        scheduler.drainForClose();
        scheduler.finishClose();
    }

    @Validate
    public void closedAtMostOnceAndAShutdownAlwaysCloses() {
        LoopState state = scheduler.state();
        if (closes.get() > 1) {
            throw new IllegalStateException("closed " + closes.get() + " times");
        }
        if (state.isRunning() || state == LoopState.CLOSING) {
            throw new IllegalStateException("no operation is under way, yet the loop is " + state);
        }
        if (shutdownAsked && state != LoopState.CLOSED) {
            throw new IllegalStateException("shut down, yet the loop is " + state);
        }
        if ((state == LoopState.CLOSED) != (closes.get() == 1)) {
            throw new IllegalStateException(state + " after " + closes.get() + " closes");
        }
        if (scheduler.owner() != null) {
            throw new IllegalStateException("owned by " + scheduler.owner() + " in state " + state);
        }
    }

    /**
     * One operation per thread, three threads: a later operation on the same thread (a close after
     * the run, say) would close the loop and hide a run that ended without closing after a shutdown.
     */
    @Test
    public void everyInterleavingClosesOnceAndLeavesNoOwner() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(30 * InboundQueueLincheckTest.SCALE)
                .invocationsPerIteration(150)
                .threads(3)
                .actorsPerThread(1)
                .actorsBefore(1)
                .actorsAfter(0);
        new LinChecker(LifecycleLincheckTest.class, options).check();
    }
}
