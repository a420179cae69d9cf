package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LoopTestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/** Futures completed off the loop thread, on a closed loop, and JDK stages on them: nothing lost, nothing hung. */
public class FutureBadLuckTest extends LoopTestSupport {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }

    /** Completes two iterations from now, so that what the current one scheduled has run. */
    private CompletionStage<Void> afterOneIteration() {
        CompletableFuture<Void> ran = new CompletableFuture<>();
        loop.callSoon(() -> loop.callSoon(() -> ran.complete(null)));
        return ran;
    }

    /**
     * Debug mode, a future completed by another thread while the loop runs (deterministic: the loop
     * callback starts the thread and joins it). Without debug mode the callback runs
     * (EventLoopContract.doneCallbacksRunOnTheLoopInTheOrderAdded); with it, it is lost, and
     * setResult() returned normally.
     */
    @Test
    public void inDebugModeAFutureCompletedByAnotherThreadStillRunsItsDoneCallbacks() {
        loop.setDebug(true);
        LoopFuture<String> future = loop.createFuture();
        List<String> ran = new ArrayList<>();
        future.addDoneCallback(f -> ran.add("callback " + f.result()));
        AtomicReference<Throwable> setterThrew = new AtomicReference<>();
        CompletableFuture<Void> setterDone = new CompletableFuture<>();
        loop.callSoon(() -> {
            Thread setter = new Thread(() -> {
                try {
                    future.setResult("v");
                } catch (Throwable t) {
                    setterThrew.set(t);
                }
            });
            setter.start();
            try {
                setter.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            setterDone.complete(null);
        });
        runFor(setterDone);
        runFor(afterOneIteration());
        assertTrue(future.isDone());
        assertEquals("setResult threw: " + setterThrew.get() + "; callbacks run: " + ran,
                List.of("callback v"), ran);
    }

    /** Same root cause through the JDK: orTimeout's timer thread completes the future in debug mode. */
    @Test
    public void inDebugModeOrTimeoutRunsTheDoneCallbacks() {
        loop.setDebug(true);
        LoopFuture<String> future = loop.createFuture();
        List<String> ran = new ArrayList<>();
        CompletableFuture<Void> callbackRan = new CompletableFuture<>();
        future.addDoneCallback(f -> {
            ran.add("callback");
            callbackRan.complete(null);
        });
        future.toCompletableFuture().orTimeout(10, TimeUnit.MILLISECONDS);
        // Waits for the callback itself: the timer thread completes the future (and a stage on it)
        // before it hands the callbacks to the loop, so a few iterations after the completion may
        // still be too early on a loaded machine (a CI failure); a lost callback times out here
        runFor(callbackRan);
        runFor(afterOneIteration());
        assertEquals(List.of("callback"), ran);
    }

    /**
     * A stage added to a done future whose loop is closed: asyncio's add_done_callback raises "Event
     * loop is closed" (call_soon's _check_closed); the JDK fails the derived stage with what the
     * executor threw. Here the stage is neither refused nor failed: it never completes.
     */
    @Test
    public void aStageOnAFutureOfAClosedLoopIsRefusedOrFailsInsteadOfHanging() throws Exception {
        LoopFuture<String> future = loop.createFuture();
        future.setResult("x");
        loop.close();
        CompletionStage<String> derived;
        try {
            derived = future.thenApply(v -> v + "y");
        } catch (IllegalStateException refused) {
            assertEquals("Event loop is closed", refused.getMessage());
            return; // asyncio's behaviour
        }
        try {
            derived.toCompletableFuture().get(2, TimeUnit.SECONDS);
            fail("ran on a closed loop");
        } catch (ExecutionException failed) {
            assertTrue(failed.getCause() instanceof IllegalStateException); // the JDK's behaviour
        } catch (TimeoutException hung) {
            fail("the derived stage of a future of a closed loop never completes: a join() on it hangs");
        }
    }

    /**
     * A pending future, a stage on it, then the loop closes and another thread completes the future:
     * asyncio's set_result raises "Event loop is closed"; the JDK would propagate the executor's
     * exception from complete(). Here complete() succeeds and the stage hangs for ever.
     */
    @Test
    public void completingAFutureOfAClosedLoopDoesNotLeaveItsStagesHanging() throws Exception {
        LoopFuture<String> future = loop.createFuture();
        CompletableFuture<String> derived = future.thenApply(v -> v + "y").toCompletableFuture();
        loop.close();
        Throwable completeThrew = null;
        try {
            future.setResult("x");
        } catch (RuntimeException e) {
            completeThrew = e;
        }
        if (completeThrew != null) {
            return; // refused, as asyncio refuses it: acceptable
        }
        try {
            derived.get(2, TimeUnit.SECONDS);
            fail("ran on a closed loop");
        } catch (ExecutionException failed) {
            // failed: acceptable
        } catch (TimeoutException hung) {
            fail("setResult() succeeded, and the stage on the future never completes: a join() on it hangs");
        }
    }

    /**
     * asyncio: exception() returns the exception given to set_exception; a future that failed is
     * never reported as succeeded. A CompletionException without a cause reads as success here.
     */
    @Test
    public void aFutureFailedWithACauselessCompletionExceptionIsNotReportedAsSucceeded() {
        LoopFuture<String> future = loop.createFuture();
        CompletionException failure = new CompletionException("boom", null);
        future.setException(failure);
        assertTrue(future.isDone());
        assertTrue(future.toCompletableFuture().isCompletedExceptionally());
        Throwable seen = future.exception();
        assertNotNull("exception() says the failed future succeeded", seen);
    }

    /** The same future: toString() (used in every "invalid state" message) throws instead of describing it. */
    @Test
    public void toStringOfAFutureFailedWithACauselessCompletionExceptionDoesNotThrow() {
        LoopFuture<String> future = loop.createFuture();
        future.setException(new CompletionException("boom", null));
        String described;
        try {
            described = future.toString();
        } catch (RuntimeException e) {
            throw new AssertionError("toString() threw " + e, e);
        }
        assertTrue(described, described.contains("exception"));
    }

    /**
     * Java's Future.cancel(false): "in-progress tasks are allowed to complete" (not interrupted).
     * Cancelling a runInExecutor future with cancel(false) interrupts the running function.
     */
    @Test
    public void cancelFalseDoesNotInterruptARunningExecutorFunction() throws Exception {
        java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
            AtomicReference<String> how = new AtomicReference<>();
            LoopFuture<String> future = loop.runInExecutor(executor, () -> {
                started.countDown();
                try {
                    release.await();
                    how.set("completed");
                } catch (InterruptedException e) {
                    how.set("interrupted");
                } finally {
                    finished.countDown();
                }
                return "r";
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            assertTrue(future.cancel(false));
            runFor(afterOneIteration()); // the future's done callbacks run
            release.countDown();
            assertTrue(finished.await(10, TimeUnit.SECONDS));
            assertEquals("cancel(false) must let the running function complete", "completed", how.get());
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * asyncio: add_done_callback on a done future whose loop is closed raises "Event loop is closed"
     * (call_soon). Loopkit does so for a future the loop made, but on a done derived stage the
     * callback is accepted and silently dropped (a WARNING log line only).
     */
    @Test
    public void aDoneCallbackAddedToADoneDerivedStageOfAClosedLoopIsRefusedLikeOnAnyOtherFuture() {
        LoopFuture<String> future = loop.createFuture();
        future.setResult("x");
        LoopFuture<String> derived = (LoopFuture<String>) future.thenApply(v -> v + "y");
        assertEquals("xy", runFor(derived));
        loop.close();
        IllegalStateException onSource = org.junit.Assert.assertThrows(IllegalStateException.class,
                () -> future.addDoneCallback(f -> { }));
        assertEquals("Event loop is closed", onSource.getMessage());
        List<String> ran = new ArrayList<>();
        try {
            derived.addDoneCallback(f -> ran.add("callback"));
        } catch (IllegalStateException refused) {
            assertEquals("Event loop is closed", refused.getMessage());
            return;
        }
        fail("accepted, and never run: " + ran);
    }
    /**
     * A stage whose action was queued on the loop when the loop closed (the future completed, the loop
     * not yet run): the action was dropped, and the stage never completed, so a {@code join()} on it
     * waited for ever, where a stage added after the close fails at once (an outside review). It fails
     * with "Event loop is closed" now, its action not run, after a close as after a shutdown; completed
     * on the idle loop (the action queued from another thread, in a handle around it) as completed by the
     * loop's last callback (queued on the loop thread as its own handle).
     */
    @Test
    public void aStageQueuedWhenTheLoopClosesFailsInsteadOfHanging() throws Exception {
        for (boolean shutdown : new boolean[] {false, true}) {
            for (boolean onTheLoopThread : new boolean[] {false, true}) {
                aStageQueuedWhenTheLoopCloses(shutdown, onTheLoopThread);
            }
        }
    }

    private static void aStageQueuedWhenTheLoopCloses(boolean shutdown, boolean onTheLoopThread) throws Exception {
        BaseEventLoop closing = new SelectorEventLoop();
        List<Object> reported = new ArrayList<>();
        closing.setExceptionHandler((l, context) -> reported.add(context.get("message")));
        LoopFuture<Integer> future = closing.createFuture();
        List<Integer> ran = new ArrayList<>();
        CompletableFuture<Integer> stage = future.thenApply(x -> {
            ran.add(x);
            return x + 1;
        }).toCompletableFuture();
        CompletableFuture<Integer> next = stage.thenApply(x -> x + 1);
        if (onTheLoopThread) {
            closing.callSoon(() -> { // the batch's last callback: what it queues runs after the stop
                future.setResult(1);
                closing.stop();
            });
            closing.runForever();
        } else {
            future.setResult(1); // the stage's action is queued on the idle loop
        }
        if (shutdown) {
            closing.shutdown("bundle stopping");
        } else {
            closing.close();
        }
        for (CompletableFuture<Integer> waited : List.of(stage, next)) {
            try {
                fail("completed on a closed loop: " + waited.get(2, TimeUnit.SECONDS));
            } catch (ExecutionException failed) {
                assertEquals("Event loop is closed", failed.getCause().getMessage());
            } catch (TimeoutException hung) {
                fail((shutdown ? "shut down" : "closed") + " with a stage's action queued"
                        + (onTheLoopThread ? " on the loop thread" : "") + ": a join() on it hangs");
            }
        }
        assertEquals("the action did not run", List.of(), ran);
        assertEquals("the stage's failure says it: nothing else to report", List.of(), reported);
    }

    /**
     * A {@code runInExecutor} whose function ends after the loop closed: its outcome was dropped (as
     * asyncio's {@code _chain_future} drops it for a closed loop) and the future stayed pending, so a Java
     * thread's {@code get()} on it waited for ever (an outside review). The outcome completes it now; no
     * done callback runs (the loop is closed).
     */
    @Test
    public void anExecutorsOutcomeAfterTheLoopClosedStillCompletesItsFuture() throws Exception {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        LoopFuture<String> late = loop.runInExecutor(null, () -> {
            go.await();
            return "late";
        });
        LoopFuture<String> queued = loop.runInExecutor(null, () -> "queued");
        assertTrue("the outcome of the second is queued on the idle loop",
                dev.loopkit.loop.testing.Leaks.await(() -> loop.stats().callbacks() == 1, 5));
        loop.close(); // drops what is queued: the second's outcome
        go.countDown();
        try {
            assertEquals("late", late.get(5, TimeUnit.SECONDS));
            assertEquals("queued", queued.get(5, TimeUnit.SECONDS));
        } catch (TimeoutException hung) {
            fail("an executor's outcome after the close never completed its future: " + late + ", " + queued);
        }
    }

    /**
     * {@code completeAsync(supplier)} with no executor of its own queues the supplier on the loop, as a
     * stage's action: a close or shutdown before it ran ran the user's supplier inside the close, on the
     * closing thread, with the loop closed, and a supplier that waited for another thread's close of the
     * same loop hung both (an outside review). It fails with "Event loop is closed" now, as a stage does,
     * its supplier not run.
     */
    @Test
    public void aCompleteAsyncQueuedWhenTheLoopClosesRunsNoSupplier() throws Exception {
        for (boolean shutdown : new boolean[] {false, true}) {
            BaseEventLoop closing = new SelectorEventLoop();
            List<Object> reported = new ArrayList<>();
            closing.setExceptionHandler((l, context) -> reported.add(context.get("message")));
            LoopFuture<String> future = closing.createFuture();
            List<String> ran = new ArrayList<>();
            future.toCompletableFuture().completeAsync(() -> {
                ran.add("on " + Thread.currentThread().getName() + ", the loop " + (closing.isClosed() ? "closed" : "open"));
                return "supplied";
            });
            if (shutdown) {
                closing.shutdown("bundle stopping");
            } else {
                closing.close();
            }
            assertEquals("the supplier did not run", List.of(), ran);
            try {
                fail("completed on a closed loop: " + future.toCompletableFuture().get(2, TimeUnit.SECONDS));
            } catch (ExecutionException failed) {
                assertEquals("Event loop is closed", failed.getCause().getMessage());
            } catch (TimeoutException hung) {
                fail((shutdown ? "shut down" : "closed") + " with a completeAsync queued: a join() on it hangs");
            }
            assertEquals("the future's failure says it: nothing else to report", List.of(), reported);
        }
    }
}
