package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.testing.UnretrievedReports;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * asyncio's "Future exception was never retrieved": a future of the loop that failed and was dropped
 * without anyone asking for its failure is reported to the loop's exception handler, once; one whose
 * failure someone asked for, before or after it came, is not. Each case that must report nothing is
 * followed by a control future dropped after it was collected, whose report must be the only one.
 */
public class UnretrievedFailureTest {

    private final ParkingEventLoop loop = new ParkingEventLoop();
    private final List<Map<String, Object>> reports = new CopyOnWriteArrayList<>();
    private final List<Thread> handlerThreads = new CopyOnWriteArrayList<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    @Before
    public void collectReports() {
        loop.setExceptionHandler((l, context) -> {
            reports.add(context);
            handlerThreads.add(Thread.currentThread());
        });
    }

    @After
    public void closeLoop() {
        loop.close();
    }

    @Test
    public void aFailedFutureDroppedUnaskedIsReportedOnceOnTheLoop() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        awaitCollected(dropped(f -> f.setException(boom)));
        Map<String, Object> report = awaitReportOf(boom);
        assertEquals("Future exception was never retrieved", report.get("message"));
        assertEquals("<Future finished exception=java.lang.RuntimeException: boom>", report.get("future"));
        assertSame("on the loop's thread", Thread.currentThread(), handlerThreads.get(0));
        runIterations(3);
        assertEquals("reported once: " + reports, 1, reports.size());
    }

    /** Debug mode: the report says where the future was made, as asyncio's {@code source_traceback}. */
    @Test
    public void inDebugModeTheReportSaysWhereTheFutureWasMade() throws Exception {
        loop.setDebug(true);
        RuntimeException boom = new RuntimeException("boom");
        awaitCollected(dropped(f -> f.setException(boom)));
        StackTraceElement[] madeAt = (StackTraceElement[]) awaitReportOf(boom).get("source_traceback");
        assertNotNull("source_traceback", madeAt);
        assertEquals(UnretrievedFailureTest.class.getName(), madeAt[0].getClassName());
        assertEquals("the loop's own frames are left out", "dropped", madeAt[0].getMethodName());
    }

    @Test
    public void withoutDebugModeTheReportHasNoTraceback() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        awaitCollected(dropped(f -> f.setException(boom)));
        assertTrue(!awaitReportOf(boom).containsKey("source_traceback"));
    }

    @Test
    public void aDoneCallbackIsNotAnAskNorIsTheFuturesText() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        awaitCollected(dropped(f -> {
            f.addDoneCallback(done -> { });
            f.setException(boom);
            assertTrue(f.toString().contains("boom"));
        }));
        awaitReportOf(boom);
    }

    @Test
    public void aFutureFailedOnAnotherThreadIsReported() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        awaitCollected(dropped(f -> {
            Thread failer = new Thread(() -> f.setException(boom));
            failer.start();
            join(failer);
        }));
        awaitReportOf(boom);
    }

    @Test
    public void anExecutorJobThatThrowsAndWhoseFutureIsDroppedIsReported() throws Exception {
        IllegalStateException boom = new IllegalStateException("job failed");
        WeakReference<Object> job = new WeakReference<>(loop.runInExecutor(null, () -> {
            throw boom;
        }), collected);
        awaitCollected(job);
        awaitReportOf(boom);
    }

    @Test
    public void aFailureDroppedAsTheLoopClosesIsReportedOnceItIsClosed() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        awaitCollectedWhileTheLoopNeverRuns(dropped(f -> f.setException(boom)));
        assertEquals("nothing reported while the loop neither ran nor closed", List.of(), reports);
        Thread closer = new Thread(loop::close, "closer");
        closer.start();
        closer.join();
        assertEquals(1, reports.size());
        assertSame(boom, reports.get(0).get("exception"));
        assertSame("on the closing thread", closer, handlerThreads.get(0));
    }

    /**
     * Reentrancy: the handler the close hands a report to may call the loop back (close it again, schedule
     * on it, run it, fail another future of it) and the close still returns, the report given once.
     */
    @Test
    public void aHandlerCalledAtTheCloseMayCallTheLoopBack() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        List<String> calls = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> {
            reports.add(context);
            l.close();
            calls.add("closed again");
            try {
                l.callSoon(() -> { });
            } catch (IllegalStateException closed) {
                calls.add(closed.getMessage());
            }
            try {
                l.runForever();
            } catch (IllegalStateException closed) {
                calls.add(closed.getMessage());
            }
            LoopFuture<String> another = l.createFuture();
            another.setException(new RuntimeException("failed in the handler"));
            calls.add("failed another");
        });
        awaitCollectedWhileTheLoopNeverRuns(dropped(f -> f.setException(boom)));
        Thread closer = new Thread(loop::close, "closer");
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(20));
        assertTrue("the close returned", !closer.isAlive());
        assertEquals(1, reports.size());
        assertSame(boom, reports.get(0).get("exception"));
        assertEquals(List.of("closed again", "Event loop is closed", "Event loop is closed", "failed another"), calls);
    }

    /**
     * A report the loop queued in the iteration that stopped the run, as the last run of a loop about to be
     * closed: the close gives it (once closed, on the closing thread) where it dropped it with the other
     * callbacks (an outside review's probe).
     */
    @Test
    public void aReportQueuedAsTheLastRunStopsIsGivenAtTheClose() throws Exception {
        RuntimeException boom = new RuntimeException("collected during the last run");
        WeakReference<Object> future = dropped(f -> f.setException(boom));
        LoopFuture<Void> main = loop.createFuture();
        loop.callSoon(() -> {
            main.setResult(null); // the run's stop is queued now
            loop.callSoon(() -> { // after the stop, in the same iteration
                try {
                    awaitCollectedWhileTheLoopNeverRuns(future);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                LoopFuture<String> another = loop.createFuture();
                another.setException(new RuntimeException("a failure: the loop looks, and queues the report"));
                another.exception();
            });
        });
        loop.runUntilComplete(main);
        assertEquals("the report is queued, not given", List.of(), reports);
        loop.close();
        assertEquals(1, reports.size());
        assertSame(boom, reports.get(0).get("exception"));
    }

    @Test
    public void aClosedLoopWatchesNoFailure() {
        loop.close();
        for (int i = 0; i < 1_000; i++) {
            LoopFuture<String> future = loop.createFuture();
            future.setException(new RuntimeException("after the close"));
        }
        assertEquals("nothing looks for them any more", 0, loop.unretrievedFailures().watching());
    }

    /** The JDK's completions after a failure: the failure is reported once, or not at all once asked for or replaced (a review). */
    @Test
    public void aFailureIsReportedOnceWhateverTheJdkCompletesAfterIt() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        awaitCollected(dropped(f -> {
            f.setException(boom);
            ((CompletableFuture<String>) f).completeAsync(() -> "late", Runnable::run);
        }));
        awaitReportOf(boom);
        runIterations(3);
        assertEquals("reported once: " + reports, 1, reports.size());
    }

    @Test
    public void aFailureAskedForAfterTheJdkCompletedIsNotReported() throws Exception {
        reportsNothingFor(f -> {
            f.setException(new RuntimeException("asked"));
            ((CompletableFuture<String>) f).completeAsync(() -> "late", Runnable::run);
            assertNotNull(f.exception());
        });
    }

    @Test
    public void aFailureReplacedByObtrudeValueIsNotReported() throws Exception {
        reportsNothingFor(f -> {
            f.setException(new RuntimeException("replaced"));
            ((CompletableFuture<String>) f).obtrudeValue("instead");
        });
    }

    /**
     * thenCompose's function returns a loop future that failed already: the JDK reads its failure without
     * attaching a stage, and hands it on to the composed stage, which the caller handles (asyncio's
     * {@code await fut}). A review found communicate() reporting its stdin's drain that way.
     */
    @Test
    public void aFailedFutureAStageComposesIsAnAsk() throws Exception {
        reportsNothingFor(f -> {
            f.setException(new RuntimeException("composed"));
            LoopFuture<String> start = loop.createFuture();
            start.thenCompose(ignored -> f).handle((value, failure) -> failure);
            start.setResult("go");
            runIterations(2);
        });
    }

    @Test
    public void theLoopsOwnInlineHookIsNotAnAsk() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        awaitCollected(dropped(f -> {
            ((DefaultLoopFuture<String>) f).hookCompletionInline((value, failure) -> { });
            f.setException(boom);
        }));
        awaitReportOf(boom);
    }

    @Test
    public void markRetrievedIsAnAsk() throws Exception {
        reportsNothingFor(f -> {
            ((DefaultLoopFuture<String>) f).markRetrieved();
            f.setException(new RuntimeException("handed on elsewhere"));
        });
    }

    @Test
    public void exceptionIsAnAsk() throws Exception {
        reportsNothingFor(f -> {
            f.setException(new RuntimeException("asked"));
            assertNotNull(f.exception());
        });
    }

    @Test
    public void resultThrowingIsAnAsk() throws Exception {
        reportsNothingFor(f -> {
            f.setException(new RuntimeException("asked"));
            assertThrows(RuntimeException.class, f::result);
        });
    }

    @Test
    public void getAndJoinThrowingAreAsks() throws Exception {
        reportsNothingFor(f -> {
            f.setException(new RuntimeException("asked"));
            assertThrows(ExecutionException.class, () -> ((CompletableFuture<String>) f).get(1, TimeUnit.SECONDS));
        });
        reportsNothingFor(f -> {
            f.setException(new RuntimeException("asked"));
            assertThrows(RuntimeException.class, () -> ((CompletableFuture<String>) f).join());
        });
        reportsNothingFor(f -> {
            f.setException(new RuntimeException("asked"));
            assertThrows(RuntimeException.class, () -> ((CompletableFuture<String>) f).getNow("absent"));
        });
    }

    @Test
    public void aStageMadeBeforeTheFailureIsAnAsk() throws Exception {
        reportsNothingFor(f -> {
            f.whenComplete((value, failure) -> { });
            f.setException(new RuntimeException("asked"));
        });
    }

    @Test
    public void aStageMadeAfterTheFailureIsAnAsk() throws Exception {
        reportsNothingFor(f -> {
            f.setException(new RuntimeException("asked"));
            f.thenApply(value -> value + "!");
        });
    }

    @Test
    public void aStageTheJdkAttachesWhilePendingIsAnAsk() throws Exception {
        reportsNothingFor(f -> {
            CompletableFuture.allOf(f.toCompletableFuture());
            f.setException(new RuntimeException("asked"));
        });
    }

    @Test
    public void aCancelledFutureIsNoFailure() throws Exception {
        reportsNothingFor(f -> f.cancel(false));
    }

    @Test
    public void aDerivedStageThatFailsIsItsSourcesAskNotAFailureOfItsOwn() throws Exception {
        reportsNothingFor(f -> {
            f.thenApply(value -> {
                throw new IllegalStateException("the stage's own");
            });
            f.setResult("v");
            runIterations(2); // the stage runs, and fails
        });
    }

    // ---- the way there ----------------------------------------------------------------------------------

    /**
     * Runs {@code use} on a future that is then dropped and collected; then drops a control future failed
     * and unasked, and expects its report as the only one ({@link UnretrievedReports}).
     */
    private void reportsNothingFor(Consumer<LoopFuture<String>> use) throws Exception {
        UnretrievedReports unretrieved = UnretrievedReports.of(loop);
        unretrieved.assertNoneOnceCollected(dropped(use, unretrieved::track));
    }

    // A method of its own, so that nothing on the test's stack keeps the future.
    private <R> R dropped(Consumer<LoopFuture<String>> use, Function<Object, R> referenceTo) {
        LoopFuture<String> future = loop.createFuture();
        use.accept(future);
        return referenceTo.apply(future);
    }

    private WeakReference<Object> dropped(Consumer<LoopFuture<String>> use) {
        return dropped(use, future -> new WeakReference<>(future, collected));
    }

    // The loop runs meanwhile: a done callback queued on it holds its future until it ran.
    private void awaitCollected(WeakReference<Object> reference) throws InterruptedException {
        UnretrievedReports.awaitQueued(collected, reference, "the dropped future is still reachable after 20 s", () -> {
            runIterations(1);
            System.gc();
        });
    }

    private void awaitCollectedWhileTheLoopNeverRuns(WeakReference<Object> reference) throws InterruptedException {
        UnretrievedReports.awaitQueued(collected, reference, "the dropped future is still reachable after 20 s", System::gc);
        awaitTheFuturesReferenceQueued();
    }

    /**
     * The JVM's reference handler queues what one GC found only after all that an earlier GC found: once a
     * sentinel dropped after the future's weak reference came out of its queue is queued too, so is the
     * future's phantom reference, which the loop's close looks for.
     */
    private static void awaitTheFuturesReferenceQueued() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
        UnretrievedReports.awaitQueued(queue, sentinel, "a dropped sentinel is not collected after 20 s", System::gc);
    }

    private Map<String, Object> awaitReportOf(Throwable exception) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (;;) {
            for (Map<String, Object> report : reports) {
                if (report.get("exception") == exception) {
                    return report;
                }
            }
            if (System.nanoTime() > deadline) {
                fail("no report of " + exception + " after 20 s: " + reports);
            }
            System.gc();
            runIterations(1);
        }
    }

    private void runIterations(int count) {
        LoopFuture<Void> done = loop.createFuture();
        Runnable[] step = new Runnable[1];
        int[] left = {count};
        step[0] = () -> {
            if (--left[0] <= 0) {
                done.setResult(null);
            } else {
                loop.callSoon(step[0]);
            }
        };
        loop.callSoon(step[0]);
        loop.runUntilComplete(done);
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
