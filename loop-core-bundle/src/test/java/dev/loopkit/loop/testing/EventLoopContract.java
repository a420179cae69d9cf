package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeFalse;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.Handle;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.TimerHandle;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.signals.SignalDispatcher;
import dev.loopkit.testsupport.LogHandlers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.Test;

/**
 * The behaviour every Loopkit event loop shares, from asyncio's own test suite
 * ({@code test_base_events}, {@code test_events}). Each loop implementation runs it by extending
 * this class.
 */
public abstract class EventLoopContract extends LoopTestSupport {

    /** Whether the loop watches raw descriptors through a poller thread; a loop that waits in epoll itself needs none. */
    protected boolean watchesRawFdsOnAPollerThread() {
        return true;
    }

    // ---- callSoon ---------------------------------------------------------------------------------------

    @Test
    public void callSoonRunsCallbacksInOrder() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            loop.callSoon(() -> order.add(n));
        }
        loop.callSoon(loop::stop);
        loop.runForever();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertEquals(expected, order);
    }

    @Test
    public void callbacksScheduledByCallbacksRunInTheNextIteration() {
        // asyncio: stop() runs the current batch; what the batch schedules waits for the next run.
        List<String> events = new ArrayList<>();
        loop.callSoon(() -> {
            events.add("a");
            loop.callSoon(() -> events.add("c"));
            loop.stop();
        });
        loop.callSoon(() -> events.add("b"));
        loop.runForever();
        assertEquals(List.of("a", "b"), events);
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(List.of("a", "b", "c"), events);
    }

    @Test
    public void stopBeforeRunForeverRunsOneIteration() {
        AtomicInteger runs = new AtomicInteger();
        loop.callSoon(runs::incrementAndGet);
        loop.stop();
        loop.runForever();
        assertEquals(1, runs.get());
        assertFalse(loop.isRunning());
    }

    @Test
    public void cancelledHandleNeverRuns() {
        AtomicInteger runs = new AtomicInteger();
        Handle handle = loop.callSoon(runs::incrementAndGet);
        handle.cancel();
        handle.cancel();
        assertTrue(handle.isCancelled());
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(0, runs.get());
    }

    @Test
    public void nullCallbacksAreRefusedByName() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> loop.callSoon(null));
        assertEquals("callback", e.getMessage());
        assertThrows(NullPointerException.class, () -> loop.callSoonThreadsafe(null));
        assertThrows(NullPointerException.class, () -> loop.callLater(1, null));
        assertThrows(NullPointerException.class, () -> loop.callAt(1, null));
        assertThrows(NullPointerException.class, () -> loop.runUntilComplete(null));
        // A NaN delay is no error in asyncio: DeliveryContract.aTimerAtNanRunsAtOnceAsAsyncioDoes.
    }

    // ---- timers -----------------------------------------------------------------------------------------

    @Test
    public void timersFireInTimeOrderAndNeverEarly() {
        Random random = new Random(42);
        List<Double> fired = Collections.synchronizedList(new ArrayList<>());
        List<String> early = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        int count = 200;
        AtomicInteger left = new AtomicInteger(count);
        for (int i = 0; i < count; i++) {
            double delay = random.nextInt(50) / 1000.0;
            AtomicReference<TimerHandle> self = new AtomicReference<>();
            self.set(loop.callLater(delay, () -> {
                double now = loop.time();
                double when = self.get().when();
                if (now < when) {
                    early.add(now + " < " + when);
                }
                fired.add(when);
                if (left.decrementAndGet() == 0) {
                    done.complete(null);
                }
            }));
        }
        runFor(done);
        assertEquals(List.of(), early);
        List<Double> sorted = new ArrayList<>(fired);
        Collections.sort(sorted);
        assertEquals(sorted, fired);
    }

    @Test
    public void timersDueAtTheSameTimeRunInSchedulingOrder() {
        double when = loop.time() + 0.01;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            loop.callAt(when, () -> order.add(n));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.callAt(when + 0.001, () -> done.complete(null));
        runFor(done);
        for (int i = 0; i < 20; i++) {
            assertEquals(Integer.valueOf(i), order.get(i));
        }
    }

    /**
     * asyncio's timers are a heap ordered by {@code when} ({@code TimerHandle.__lt__}): timers due in one
     * iteration run in order of their times, also times that the loop's nanosecond clock cannot tell
     * apart (far in the past, -inf, or less than a nanosecond apart). They ran in scheduling order (an
     * outside review); NaN, due at once, runs first.
     */
    @Test
    public void timersDueInOneIterationRunInOrderOfTheirTimesEvenWithinANanosecond() {
        List<String> ran = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.callSoon(() -> {
            double past = loop.time() - 1;
            loop.callAt(-1e200, () -> ran.add("-1e200"));
            loop.callAt(-1e300, () -> ran.add("-1e300"));
            loop.callAt(Double.NEGATIVE_INFINITY, () -> ran.add("-inf"));
            loop.callAt(past, () -> ran.add("past"));
            loop.callAt(Math.nextDown(past), () -> ran.add("nextDown(past)"));
            loop.callAt(Double.NaN, () -> ran.add("NaN"));
            loop.callLater(0.05, () -> done.complete(null));
        });
        runFor(done);
        assertEquals(List.of("NaN", "-inf", "-1e300", "-1e200", "nextDown(past)", "past"), ran);
    }

    @Test
    public void callLaterAndCallAtShareTheLoopClock() {
        double before = loop.time();
        TimerHandle handle = loop.callLater(5, () -> { });
        assertTrue(handle.when() >= before + 5);
        assertTrue(handle.when() <= loop.time() + 5 + 1e-6);
        assertEquals(123.5, loop.callAt(123.5, () -> { }).when(), 1e-9);
    }

    @Test
    public void cancelledTimersNeverRunAndDoNotPileUp() {
        AtomicInteger runs = new AtomicInteger();
        List<TimerHandle> timers = new ArrayList<>();
        loop.callSoon(() -> {
            for (int i = 0; i < 1000; i++) {
                timers.add(loop.callLater(3600, runs::incrementAndGet));
            }
            for (int i = 0; i < 900; i++) {
                timers.get(i).cancel();
            }
        });
        loop.callSoon(() -> loop.callSoon(loop::stop));
        loop.runForever();
        assertEquals(0, runs.get());
        // asyncio's rule: over half cancelled (and over 100 timers): the heap is rebuilt without them.
        assertEquals(100, loop.pendingTimers());
    }

    @Test
    public void cancelledTimerAtTheHeadIsDropped() {
        AtomicInteger runs = new AtomicInteger();
        TimerHandle first = loop.callLater(0.001, runs::incrementAndGet);
        first.cancel();
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.callLater(0.02, () -> done.complete(null));
        runFor(done);
        assertEquals(0, runs.get());
    }

    // ---- threads ----------------------------------------------------------------------------------------

    @Test
    public void callSoonThreadsafeFromManyThreadsLosesNothing() throws Exception {
        int threads = 8;
        int perThread = 20_000;
        ConcurrentLinkedQueue<Integer>[] seen = newQueues(threads);
        AtomicInteger total = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int producer = t;
            Thread thread = new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    loop.callSoonThreadsafe(() -> {
                        seen[producer].add(n);
                        if (total.incrementAndGet() == threads * perThread) {
                            done.complete(null);
                        }
                    });
                }
            });
            thread.start();
            producers.add(thread);
        }
        loop.callSoon(start::countDown);
        runFor(done);
        for (Thread producer : producers) {
            producer.join();
        }
        for (int t = 0; t < threads; t++) {
            List<Integer> got = new ArrayList<>(seen[t]);
            assertEquals(perThread, got.size());
            for (int i = 0; i < perThread; i++) {
                assertEquals("producer " + t + " out of order", Integer.valueOf(i), got.get(i));
            }
        }
    }

    @Test
    public void callSoonThreadsafeWakesASleepingLoop() throws Exception {
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        Thread helper = new Thread(() -> {
            Leaks.await(loop::isRunning, 10);
            loop.callSoonThreadsafe(() -> ranOn.complete(Thread.currentThread()));
        });
        helper.start();
        Thread loopThread = Thread.currentThread();
        assertSame(loopThread, runFor(ranOn));
        helper.join();
    }

    @Test
    public void aCallbackScheduledAfterAnotherThreadsRunsAfterIt() throws Exception {
        // FIFO across threads: the producer schedules t<i>, then publishes i; a loop callback that
        // has seen i schedules l<i>, which must run after t<i> (asyncio's one deque gives this).
        int count = 20_000; // many inbound chunks
        AtomicInteger published = new AtomicInteger(-1);
        List<String> ran = new ArrayList<>(); // loop thread only
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                String name = "t" + i;
                loop.callSoonThreadsafe(() -> ran.add(name));
                published.set(i);
            }
        });
        int[] lastSeen = {-1};
        Runnable[] watch = new Runnable[1];
        watch[0] = () -> {
            int seen = published.get();
            if (seen > lastSeen[0]) {
                lastSeen[0] = seen;
                String name = "l" + seen;
                loop.callSoon(() -> ran.add(name));
            }
            if (seen == count - 1) {
                loop.callSoon(() -> done.complete(null));
            } else {
                loop.callSoon(watch[0]);
            }
        };
        loop.callSoon(() -> {
            producer.start();
            watch[0].run();
        });
        runFor(done);
        producer.join();
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < ran.size(); i++) {
            at.put(ran.get(i), i);
        }
        int checked = 0;
        for (int i = 0; i < count; i++) {
            Integer mine = at.get("l" + i);
            if (mine != null) {
                assertTrue("l" + i + " ran before t" + i, at.get("t" + i) < mine);
                checked++;
            }
            if (i > 0) {
                assertTrue("t" + i + " ran before t" + (i - 1), at.get("t" + (i - 1)) < at.get("t" + i));
            }
        }
        assertTrue(checked > 0);
    }

    @Test
    public void callbacksQueuedBeforeTheLoopRanAllRunInTheFirstIteration() {
        // Queued from outside the loop thread, they wait in the inbound queue; the first one
        // schedules and stops: the rest still run in this iteration, what it scheduled does not.
        int count = 3000; // more than one inbound chunk
        List<Integer> ran = new ArrayList<>();
        loop.callSoon(() -> {
            ran.add(0);
            loop.callSoon(() -> ran.add(-1));
            loop.stop();
        });
        for (int i = 1; i < count; i++) {
            int n = i;
            loop.callSoonThreadsafe(() -> ran.add(n));
        }
        loop.runForever();
        assertEquals(count, ran.size());
        for (int i = 0; i < count; i++) {
            assertEquals(Integer.valueOf(i), ran.get(i));
        }
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(Integer.valueOf(-1), ran.get(count));
    }

    @Test
    public void manyProducersNeverLoseAWakeUp() throws Exception {
        // Each round trip lands on a loop that has gone (or is going) to sleep: a lost wake-up
        // leaves a producer waiting, and the test fails at its deadline instead of finishing.
        int producers = 4;
        int roundTrips = 2000;
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger finished = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            Thread thread = new Thread(() -> {
                Semaphore ran = new Semaphore(0);
                try {
                    for (int i = 0; i < roundTrips; i++) {
                        loop.callSoonThreadsafe(ran::release);
                        if (!ran.tryAcquire((long) DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                            done.completeExceptionally(new AssertionError("a wake-up was lost"));
                            return;
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (finished.incrementAndGet() == producers) {
                    loop.callSoonThreadsafe(() -> done.complete(null));
                }
            });
            threads.add(thread);
        }
        loop.callSoon(() -> threads.forEach(Thread::start));
        runFor(done);
        for (Thread thread : threads) {
            thread.join();
        }
    }

    @Test
    public void handlesFromOtherThreadsCanBeCancelledUntilTheyRun() throws Exception {
        int count = 3000;
        AtomicInteger runs = new AtomicInteger();
        List<Handle> handles = new ArrayList<>();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                handles.add(loop.callSoonThreadsafe(runs::incrementAndGet));
            }
        });
        producer.start();
        producer.join();
        for (int i = 0; i < count; i += 2) {
            handles.get(i).cancel();
        }
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(count / 2, runs.get());
        for (int i = 0; i < count; i++) {
            assertEquals(i % 2 == 0, handles.get(i).isCancelled());
        }
    }

    @Test
    public void executeIsCallSoonThreadsafe() throws Exception {
        CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> "x", loop);
        assertEquals("x", runFor(result));
    }

    @Test
    public void stopFromAnotherThreadWakesTheLoop() throws Exception {
        Thread stopper = new Thread(() -> {
            Leaks.await(loop::isRunning, 10);
            loop.stop();
        });
        stopper.start();
        loop.runForever();
        stopper.join();
        assertFalse(loop.isRunning());
    }

    @Test
    public void debugModeRefusesUnsafeCallsFromOtherThreads() throws Exception {
        loop.setDebug(true);
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        loop.callSoon(() -> new Thread(() -> {
            try {
                loop.callSoon(() -> { });
                refused.complete(null);
            } catch (IllegalStateException e) {
                refused.complete(e);
            }
        }).start());
        Throwable error = runFor(refused);
        assertEquals("Non-thread-safe operation invoked on an event loop other than the current one", error.getMessage());
    }

    @Test
    public void interruptingTheLoopThreadStopsTheLoop() {
        loop.callSoon(() -> Thread.currentThread().interrupt());
        loop.runForever(); // would never return otherwise
        assertTrue(Thread.interrupted());
    }

    // ---- running, stopping, closing --------------------------------------------------------------------

    @Test
    public void runningStateAndRunningLoop() {
        assertNull(Asyncio.currentRunningLoop());
        IllegalStateException none = assertThrows(IllegalStateException.class, Asyncio::getRunningLoop);
        assertEquals("no running event loop", none.getMessage());
        AtomicReference<EventLoop> seen = new AtomicReference<>();
        AtomicReference<Boolean> running = new AtomicReference<>();
        loop.callSoon(() -> {
            seen.set(Asyncio.getRunningLoop());
            running.set(loop.isRunning());
            loop.stop();
        });
        loop.runForever();
        assertSame(loop, seen.get());
        assertTrue(running.get());
        assertFalse(loop.isRunning());
        assertNull(Asyncio.currentRunningLoop());
    }

    @Test
    public void runningTwiceIsRefused() {
        AtomicReference<Throwable> error = new AtomicReference<>();
        loop.callSoon(() -> {
            error.set(assertThrows(IllegalStateException.class, loop::runForever));
            loop.stop();
        });
        loop.runForever();
        assertEquals("This event loop is already running", error.get().getMessage());
    }

    @Test
    public void anotherLoopCannotRunInsideARunningLoop() {
        BaseEventLoop other = newLoop();
        try {
            AtomicReference<Throwable> error = new AtomicReference<>();
            loop.callSoon(() -> {
                error.set(assertThrows(IllegalStateException.class, other::runForever));
                loop.stop();
            });
            loop.runForever();
            assertEquals("Cannot run the event loop while another loop is running", error.get().getMessage());
        } finally {
            other.close();
        }
    }

    @Test
    public void closingARunningLoopIsRefused() {
        AtomicReference<Throwable> error = new AtomicReference<>();
        loop.callSoon(() -> {
            error.set(assertThrows(IllegalStateException.class, loop::close));
            loop.stop();
        });
        loop.runForever();
        assertEquals("Cannot close a running event loop", error.get().getMessage());
        assertFalse(loop.isClosed());
    }

    @Test
    public void aClosedLoopRefusesWorkInAsyncioWords() {
        loop.close();
        loop.close(); // idempotent
        assertTrue(loop.isClosed());
        for (Runnable call : List.<Runnable>of(
                () -> loop.callSoon(() -> { }),
                () -> loop.callSoonThreadsafe(() -> { }),
                () -> loop.callLater(1, () -> { }),
                loop::runForever,
                () -> loop.runUntilComplete(new CompletableFuture<>()),
                () -> loop.runInExecutor(null, () -> 1))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
            assertEquals("Event loop is closed", e.getMessage());
        }
    }

    /**
     * As an {@link java.util.concurrent.Executor} the loop keeps that contract: a task it cannot take is a
     * {@link java.util.concurrent.RejectedExecutionException} (what {@code CompletableFuture.runAsync} and
     * code given any executor catch), in asyncio's words. It threw the IllegalStateException of
     * {@code callSoonThreadsafe} (an outside review).
     */
    @Test
    public void aClosedLoopRejectsTasksAsAnExecutorDoes() {
        loop.close();
        java.util.concurrent.RejectedExecutionException rejected = assertThrows(
                java.util.concurrent.RejectedExecutionException.class, () -> loop.execute(() -> { }));
        assertEquals("Event loop is closed", rejected.getMessage());
    }

    @Test
    public void closeReleasesFileDescriptorsAndExecutorThreads() throws Exception {
        LoopFuture<String> work = loop.runInExecutor(null, () -> Thread.currentThread().getName());
        String worker = runFor(work.toCompletableFuture());
        assertTrue(worker, worker.startsWith("loopkit-executor-" + loop.id() + "-"));
        loop.close();
        String prefix = "loopkit-executor-" + loop.id() + "-";
        assertTrue("executor threads still alive: " + Leaks.threads(prefix),
                Leaks.await(() -> Leaks.threads(prefix).isEmpty(), 10));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    @Test
    public void shutdownFromAnotherThreadClosesARunningLoopAndReportsWhatNeverRan() throws Exception {
        List<Map<String, Object>> reported = Collections.synchronizedList(new ArrayList<>());
        loop.setExceptionHandler((l, context) -> reported.add(context));
        loop.callLater(3600, () -> { });
        Thread closer = new Thread(() -> {
            Leaks.await(loop::isRunning, 10);
            loop.shutdown("bundle stopped");
        });
        closer.start();
        loop.runForever();
        closer.join();
        assertTrue(loop.isClosed());
        assertEquals(1, reported.size());
        assertEquals("Event loop closed before the callback ran: bundle stopped", reported.get(0).get("message"));
        assertTrue(reported.get(0).get("exception") instanceof CancellationException);
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    // ---- runUntilComplete -------------------------------------------------------------------------------

    @Test
    public void runUntilCompleteReturnsTheResult() {
        LoopFuture<String> future = loop.createFuture();
        loop.callLater(0.01, () -> future.setResult("done"));
        assertEquals("done", loop.runUntilComplete(future));
        assertFalse(loop.isRunning());
    }

    @Test
    public void runUntilCompleteRethrowsTheFailure() {
        LoopFuture<String> unchecked = loop.createFuture();
        loop.callSoon(() -> unchecked.setException(new IllegalArgumentException("bad")));
        assertEquals("bad", assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(unchecked)).getMessage());

        LoopFuture<String> checked = loop.createFuture();
        loop.callSoon(() -> checked.setException(new IOException("io")));
        CompletionException wrapped = assertThrows(CompletionException.class, () -> loop.runUntilComplete(checked));
        assertTrue(wrapped.getCause() instanceof IOException);

        LoopFuture<String> cancelled = loop.createFuture();
        loop.callSoon(() -> cancelled.cancel("no longer needed"));
        CancellationException cancel = assertThrows(CancellationException.class, () -> loop.runUntilComplete(cancelled));
        assertEquals("no longer needed", cancel.getMessage());
    }

    @Test
    public void runUntilCompleteOfAFutureCompletedByAnotherThread() {
        CompletableFuture<Integer> foreign = new CompletableFuture<>();
        loop.callSoon(() -> new Thread(() -> foreign.complete(7)).start());
        assertEquals(Integer.valueOf(7), runFor(foreign));
    }

    @Test
    public void runUntilCompleteStoppedEarly() {
        LoopFuture<String> never = loop.createFuture();
        loop.callSoon(loop::stop);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(never));
        assertEquals("Event loop stopped before Future completed.", e.getMessage());
        // the stale completion must not stop a later run
        never.setResult("late");
        AtomicInteger after = new AtomicInteger();
        loop.callSoon(() -> loop.callSoon(() -> loop.callSoon(() -> {
            after.incrementAndGet();
            loop.stop();
        })));
        loop.runForever();
        assertEquals(1, after.get());
    }

    /**
     * Threads racing to run the loop until their own future is done: one wins, the others are refused
     * ("This event loop is already running"), and the winner's run ends when its own future is done. The
     * refused calls added their stopping callback before they lost: queued at once for a done future, it
     * ran in the winner's run and stopped it early, or used up the stop a later run needed, which then
     * never returned (an outside review: up to 27 of 400 rounds on each loop).
     */
    @Test(timeout = 120_000)
    public void runUntilCompleteFromRacingThreadsStopsOnlyTheWinnersRunAtItsOwnFuture() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (int round = 0; round < 300 && wrong.isEmpty(); round++) {
            LoopFuture<String> later = loop.createFuture();
            loop.callLater(0.002, () -> later.setResult("later"));
            CyclicBarrier start = new CyclicBarrier(4);
            List<String> outcomes = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                LoopFuture<String> own = t == 0 ? later : loop.createFuture();
                if (t > 0) {
                    own.setResult("done");
                }
                Thread thread = new Thread(() -> {
                    try {
                        start.await(5, TimeUnit.SECONDS);
                        outcomes.add(loop.runUntilComplete(own));
                    } catch (RuntimeException e) {
                        outcomes.add(e.getMessage());
                    } catch (Exception e) {
                        outcomes.add(e.toString());
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join(2_000);
                if (thread.isAlive()) {
                    wrong.add("round " + round + ": a run did not return within 2 s");
                    loop.callSoonThreadsafe(loop::stop);
                    thread.join(5_000);
                }
            }
            for (String outcome : outcomes) {
                if (!List.of("later", "done", "This event loop is already running").contains(outcome)) {
                    wrong.add("round " + round + ": " + outcome);
                }
            }
            if (!later.isDone()) {
                loop.runUntilComplete(later);
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    public void runUntilCompleteRefusesAFutureOfAnotherLoop() {
        BaseEventLoop other = newLoop();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.runUntilComplete(other.createFuture()));
            assertEquals("The future belongs to a different loop than the one specified as the loop argument", e.getMessage());
        } finally {
            other.close();
        }
    }

    // ---- futures ----------------------------------------------------------------------------------------

    @Test
    public void futureStatesAndErrorsAreAsyncios() {
        LoopFuture<String> future = loop.createFuture();
        assertSame(loop, future.getLoop());
        assertEquals("Result is not set.", assertThrows(IllegalStateException.class, future::result).getMessage());
        assertEquals("Exception is not set.", assertThrows(IllegalStateException.class, future::exception).getMessage());
        future.setResult("r");
        assertEquals("r", future.result());
        assertNull(future.exception());
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> future.setResult("again"));
        assertTrue(twice.getMessage(), twice.getMessage().startsWith("FINISHED: "));
        assertFalse(future.cancel("too late"));

        LoopFuture<String> cancelled = loop.createFuture();
        assertTrue(cancelled.cancel("stop"));
        assertTrue(cancelled.isCancelled());
        assertThrows(CancellationException.class, cancelled::result);
        assertThrows(CancellationException.class, cancelled::exception);
    }

    @Test
    public void doneCallbacksRunOnTheLoopInTheOrderAdded() {
        LoopFuture<String> future = loop.createFuture();
        List<String> order = new ArrayList<>();
        Thread loopThread = Thread.currentThread();
        List<Thread> threads = new ArrayList<>();
        Consumer<LoopFuture<String>> removed = f -> order.add("removed");
        for (int i = 0; i < 5; i++) {
            int n = i;
            future.addDoneCallback(f -> {
                order.add(n + "=" + f.result());
                threads.add(Thread.currentThread());
            });
        }
        future.addDoneCallback(removed);
        future.addDoneCallback(removed);
        assertEquals(2, future.removeDoneCallback(removed));
        assertEquals(0, future.removeDoneCallback(removed));
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.callSoon(() -> new Thread(() -> future.setResult("v")).start());
        future.addDoneCallback(f -> loop.callSoon(() -> done.complete(null)));
        runFor(done);
        assertEquals(List.of("0=v", "1=v", "2=v", "3=v", "4=v"), order);
        threads.forEach(t -> assertSame(loopThread, t));
        // added when already done: scheduled at once
        AtomicReference<String> late = new AtomicReference<>();
        future.addDoneCallback(f -> {
            late.set(f.result());
            loop.stop();
        });
        loop.runForever();
        assertEquals("v", late.get());
    }

    @Test
    public void asyncStagesRunOnTheLoop() {
        LoopFuture<Integer> future = loop.createFuture();
        Thread loopThread = Thread.currentThread();
        CompletableFuture<Boolean> onLoop = future.thenApplyAsync(v -> Thread.currentThread() == loopThread)
                .toCompletableFuture();
        new Thread(() -> future.setResult(1)).start();
        assertTrue(runFor(onLoop));
    }

    /**
     * A shutdown right after a run that ended with an executor's result reports nothing: the executor's
     * own done callback (which passes a cancel of the loop future on to the task) was still queued, and
     * was reported as "Event loop closed before the callback ran", a callback nobody scheduled (a CI run
     * of HotSwapIT, which stops the loop's bundle right after such a result).
     */
    @Test
    public void aShutdownAfterAnExecutorsResultReportsNoCallbackOfTheExecutors() throws Exception {
        List<Map<String, Object>> reported = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        CountDownLatch bothQueued = new CountDownLatch(1);
        loop.callSoon(() -> { // holds the loop until the result and the shutdown are both queued
            try {
                bothQueued.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // an executor that runs the function, then asks for the shutdown: both reach the loop in one iteration
        Executor thenShutDown = task -> new Thread(() -> {
            task.run();
            loop.callSoonThreadsafe(() -> loop.shutdown("test over"));
            bothQueued.countDown();
        }, "executor-then-shutdown").start();
        LoopFuture<Integer> result = loop.runInExecutor(thenShutDown, () -> 1);
        loop.runForever();
        assertTrue(loop.isClosed());
        assertEquals(Integer.valueOf(1), result.result());
        assertEquals(List.of(), reported);
    }

    /**
     * A shutdown (a loop bundle stopping) while {@code runUntilComplete} waits for a future that has just
     * completed: the run returns the result and the user's handler hears nothing. The stop the
     * completion scheduled is the loop's own callback, not one the user lost; it was reported as
     * "Event loop closed before the callback ran", for a loop future and for any other stage (an
     * outside review). In debug mode too, where a loop future's done callbacks are wrapped in a handle that
     * remembers where they were made: that handle was not known as the loop's own (a later review).
     */
    @Test
    public void aShutdownRightAfterTheFutureOfRunUntilCompleteReportsNoCallbackOfTheRun() throws Exception {
        for (int variant = 0; variant < 4; variant++) {
            boolean loopFuture = variant % 2 == 0;
            boolean debug = variant >= 2;
            BaseEventLoop shutDown = newLoop();
            shutDown.setDebug(debug);
            List<Object> reported = new CopyOnWriteArrayList<>();
            shutDown.setExceptionHandler((l, context) -> reported.add(context.get("message") + " " + context.get("handle")));
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            shutDown.callSoon(() -> { // holds the loop until the completion and the shutdown are both queued
                holding.countDown();
                awaitQuietly(release);
            });
            LoopFuture<String> future = shutDown.createFuture();
            CompletableFuture<String> stage = new CompletableFuture<>();
            CompletableFuture<Object> ran = new CompletableFuture<>();
            Thread running = new Thread(() -> {
                try {
                    ran.complete(shutDown.runUntilComplete(loopFuture ? future : stage));
                } catch (Throwable e) {
                    ran.complete(e);
                }
            }, "run-until-complete");
            running.start();
            assertTrue(holding.await(30, TimeUnit.SECONDS));
            if (loopFuture) {
                future.setResult("result");
            } else {
                stage.complete("result");
            }
            shutDown.shutdown("the bundle stopped");
            release.countDown();
            assertEquals("result", ran.get(30, TimeUnit.SECONDS));
            running.join(30_000);
            assertTrue(shutDown.isClosed());
            assertEquals((loopFuture ? "a loop future" : "a CompletableFuture") + (debug ? ", debug mode" : "")
                    + ": nothing reported", List.of(), reported);
        }
    }

    @Test
    public void runInExecutorDeliversResultsAndFailuresOnTheLoop() {
        LoopFuture<Integer> ok = loop.runInExecutor(null, () -> 6 * 7);
        assertEquals(Integer.valueOf(42), runFor(ok.toCompletableFuture()));
        LoopFuture<Integer> failed = loop.runInExecutor(Runnable::run, () -> {
            throw new IOException("disk");
        });
        CompletionException e = assertThrows(CompletionException.class, () -> runFor(failed.toCompletableFuture()));
        assertTrue(e.getCause() instanceof IOException);
        assertThrows(NullPointerException.class, () -> loop.runInExecutor(null, null));
    }

    /**
     * A resource of the loop whose release fails as the loop closes (a transport's close meeting a class
     * of a bundle refreshed underneath: NoClassDefFoundError) takes nothing from the loop's own close: the
     * loop's descriptors are closed all the same. The failure skipped them, and the epoll set and eventfd
     * stayed open for good (an outside review).
     */
    @Test
    public void aResourceWhoseReleaseFailsLeavesNoDescriptorOfTheLoopOpen() throws Exception {
        Map<Integer, String> before = Leaks.openFds();
        BaseEventLoop closing = newLoop();
        int[] pipe = Posix.get().pipe();
        try {
            closing.addReader(pipe[0], () -> { }); // the loop's own descriptor set, where it has one apart
            closing.track(() -> {
                throw new NoClassDefFoundError("org/example/Refreshed (its bundle was refreshed)");
            });
            closing.close();
        } finally {
            Posix.get().close(pipe[0]);
            Posix.get().close(pipe[1]);
        }
        assertTrue(closing.isClosed());
        assertEquals("descriptors left open", Map.of(), Leaks.newFds(before));
    }

    /**
     * A release that fails with an error the loop passes on (a watcher's thread that cannot start at
     * the host's thread limit: OutOfMemoryError) is thrown by {@code close()} once everything else is
     * released. It was thrown at once: the other resources, the helper threads' descriptors and the
     * loop's own stayed open for good, and the children of a pidfd watcher's loop zombies (an outside
     * review, at a cgroup's pids limit).
     */
    @Test
    public void aFatalErrorOfOneReleaseIsThrownOnceEverythingElseIsReleased() throws Exception {
        Map<Integer, String> before = Leaks.openFds();
        BaseEventLoop closing = newLoop();
        int[] pipe = Posix.get().pipe();
        boolean[] released = new boolean[1];
        OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread: possibly out of memory"
                + " or process/resource limits reached");
        try {
            closing.addReader(pipe[0], () -> { });
            closing.track(() -> {
                throw noThread;
            });
            closing.track(() -> released[0] = true);
            OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class, closing::close);
            assertSame(noThread, thrown);
        } finally {
            Posix.get().close(pipe[0]);
            Posix.get().close(pipe[1]);
        }
        assertTrue(closing.isClosed());
        assertTrue("the resource after the failed one was not released", released[0]);
        assertEquals("descriptors left open", Map.of(), Leaks.newFds(before));
    }

    /** A callback whose {@code toString} throws: what the loop says about it must not throw in its place. */
    private static final class BadText implements Runnable {
        final Runnable body;

        BadText(Runnable body) {
            this.body = body;
        }

        @Override
        public void run() {
            body.run();
        }

        @Override
        public String toString() {
            throw new IllegalStateException("bad toString");
        }
    }

    /**
     * A failing callback whose {@code toString} throws is reported all the same, with its own exception,
     * and the run goes on: the report's text called the user's {@code toString} unguarded, and what it
     * threw ended {@code runForever} and lost the callback's failure (an outside review). asyncio names a
     * callback by its qualified name, which cannot raise. The same for a done callback.
     */
    @Test
    public void aFailingCallbackWhoseTextThrowsIsReportedAndTheRunGoesOn() {
        List<Map<String, Object>> contexts = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> contexts.add(context));
        RuntimeException boom = new RuntimeException("boom");
        loop.callSoon(new BadText(() -> {
            throw boom;
        }));
        RuntimeException doneBoom = new RuntimeException("done boom");
        LoopFuture<String> future = loop.createFuture();
        future.addDoneCallback(new Consumer<LoopFuture<String>>() {
            @Override
            public void accept(LoopFuture<String> done) {
                throw doneBoom;
            }

            @Override
            public String toString() {
                throw new IllegalStateException("bad toString");
            }
        });
        future.setResult("done");
        AtomicInteger after = new AtomicInteger();
        loop.callSoon(after::incrementAndGet);
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals("the callbacks after them ran in the same run", 1, after.get());
        assertEquals(2, contexts.size());
        assertSame(boom, contexts.get(0).get("exception"));
        assertSame(doneBoom, contexts.get(1).get("exception"));
        for (Map<String, Object> context : contexts) {
            String message = (String) context.get("message");
            assertTrue(message, message.startsWith("Exception in callback ") && message.contains("toString threw"));
            assertTrue(String.valueOf(context.get("handle")).startsWith("<Handle "));
        }
    }

    /**
     * In debug mode a slow callback whose {@code toString} throws gets its warning, and the run goes on:
     * the flight-recorder event's text called {@code toString} unguarded after the callback ran (an
     * outside review).
     */
    @Test
    public void aSlowCallbackWhoseTextThrowsIsWarnedAboutAndTheRunGoesOn() {
        loop.setDebug(true);
        loop.setSlowCallbackDuration(0.0);
        AtomicInteger ran = new AtomicInteger();
        loop.callSoon(new BadText(ran::incrementAndGet));
        loop.callSoon(ran::incrementAndGet);
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(2, ran.get());
    }

    /**
     * asyncio's "Future exception was never retrieved": an executor job that threw, whose future nobody
     * asked, is reported to the exception handler once the future is collected, on the loop, with the
     * exception and the future's text. Before, the failure vanished.
     */
    @Test
    public void aJobsFailureNobodyAskedForIsReportedOnceItsFutureIsCollected() {
        List<Map<String, Object>> reported = new CopyOnWriteArrayList<>();
        List<Thread> handlerThreads = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> {
            reported.add(context);
            handlerThreads.add(Thread.currentThread());
        });
        IllegalStateException boom = new IllegalStateException("nobody asked");
        WeakReference<LoopFuture<Object>> job = new WeakReference<>(loop.runInExecutor(null, () -> {
            throw boom;
        }));
        long deadline = System.nanoTime() + (long) (DEADLINE_SECONDS * 1e9);
        Map<String, Object> report = null;
        while (report == null) {
            assertTrue("no report after " + DEADLINE_SECONDS + " s; collected: " + (job.get() == null) + ", reports: " + reported,
                    System.nanoTime() < deadline);
            System.gc();
            LoopFuture<Thread> iteration = loop.createFuture(); // a run begins: the loop looks for collected futures
            loop.callSoon(() -> iteration.setResult(Thread.currentThread()));
            Thread loopThread = runFor(iteration);
            report = reported.stream().filter(context -> context.get("exception") == boom).findFirst().orElse(null);
            if (report != null) {
                assertEquals("on the loop", loopThread, handlerThreads.get(reported.indexOf(report)));
            }
        }
        assertEquals("Future exception was never retrieved", report.get("message"));
        assertEquals("<Future finished exception=java.lang.IllegalStateException: nobody asked>", report.get("future"));
        assertEquals("reported once: " + reported, 1, reported.size());
    }

    /**
     * A function that throws {@code CancellationException} in the executor (a {@code join()} on a
     * cancelled future, say): asyncio's awaiter gets {@code CancelledError} (its
     * {@code _copy_future_state}). The loop future used to refuse that exception in
     * {@code setException}, so the failure went to the exception handler and the future never completed.
     */
    @Test
    public void runInExecutorPassesOnACancellationExceptionTheFunctionThrew() {
        List<Map<String, Object>> reported = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        CancellationException inner = new CancellationException("the function gave up");
        LoopFuture<Integer> running = loop.runInExecutor(null, () -> {
            throw inner;
        });
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        running.addDoneCallback(f -> failed.complete(assertThrows(CancellationException.class, f::result)));
        assertSame(inner, runFor(failed));
        assertTrue(running.isCancelled());
        assertEquals("nothing reported", List.of(), reported);
    }

    /**
     * A user's executor that cancels what it never ran ({@code shutdownNow()} and a cancel of each
     * task it returns, asyncio's {@code shutdown(cancel_futures=True)}): the loop future is cancelled,
     * as asyncio's {@code wrap_future} passes the cancel on. It used to stay pending forever.
     */
    @Test
    public void runInExecutorOnAUsersExecutorThatCancelsTheQueuedTaskCancelsTheLoopFuture() throws Exception {
        ThreadPoolExecutor users = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        users.execute(() -> {
            busy.countDown();
            awaitQuietly(release);
        });
        awaitQuietly(busy);
        LoopFuture<Integer> queued = loop.runInExecutor(users, () -> 1);
        for (Runnable never : users.shutdownNow()) {
            ((java.util.concurrent.Future<?>) never).cancel(false);
        }
        release.countDown();
        CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
        queued.addDoneCallback(f -> cancelled.complete(f.isCancelled()));
        assertTrue(runFor(cancelled));
        assertTrue(users.awaitTermination(10, TimeUnit.SECONDS));
    }

    /**
     * asyncio's {@code set_exception} takes any exception but {@code StopIteration}. A Java future
     * that fails with a {@code CancellationException} is a cancelled one, so that is what it becomes:
     * cancelled, with the message, its done callbacks run.
     */
    @Test
    public void setExceptionWithACancellationExceptionCancelsTheFuture() {
        LoopFuture<Integer> future = loop.createFuture();
        CompletableFuture<String> seen = new CompletableFuture<>();
        future.addDoneCallback(f -> seen.complete(f.isCancelled() + " " + assertThrows(CancellationException.class, f::result).getMessage()));
        future.setException(new CancellationException("why"));
        assertEquals("true why", runFor(seen));
        assertEquals(IllegalStateException.class,
                assertThrows(IllegalStateException.class, () -> future.setException(new CancellationException("again"))).getClass());
    }

    /**
     * asyncio's {@code call_exception_handler} catches whatever a custom handler raises (but
     * {@code SystemExit} and {@code KeyboardInterrupt}) and reports it as "Unhandled error in
     * exception handler". A handler that threw an {@code Error} (a failed JUnit assertion, say) ended
     * {@code runForever} in the middle of an iteration.
     */
    @Test
    public void anErrorThrownByTheExceptionHandlerIsReportedAndTheLoopGoesOn() {
        AssertionError broke = new AssertionError("the handler broke");
        loop.setExceptionHandler((l, context) -> {
            throw broke;
        });
        List<String> ran = new ArrayList<>();
        loop.callSoon(() -> {
            throw new IllegalStateException("the callback broke");
        });
        loop.callSoon(() -> ran.add("second"));
        loop.callSoon(loop::stop);
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Handler handler = LogHandlers.calling(logged::add);
        logger.addHandler(handler);
        try {
            loop.runForever();
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(List.of("second"), ran);
        assertTrue(logged.toString(), logged.stream().anyMatch(record -> record.getThrown() == broke
                && String.valueOf(record.getMessage()).contains("Unhandled error in exception handler")));
    }

    @Test
    public void shutdownDefaultExecutorWaitsForItsThreads() {
        runFor(loop.runInExecutor(null, () -> 1).toCompletableFuture());
        runFor(loop.shutdownDefaultExecutor().toCompletableFuture());
        String prefix = "loopkit-executor-" + loop.id() + "-";
        assertEquals(List.of(), Leaks.threads(prefix).stream().filter(n -> !n.endsWith("shutdown")).toList());
        assertEquals("Executor shutdown has been called",
                assertThrows(IllegalStateException.class, () -> loop.runInExecutor(null, () -> 1)).getMessage());
    }

    /**
     * asyncio 3.12's {@code shutdown_default_executor(timeout)}: a task that outlives the timeout is no
     * longer waited for; the future completes with asyncio's RuntimeWarning, and the task runs on.
     */
    @Test
    public void shutdownDefaultExecutorWithATimeoutStopsWaitingAndWarns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        LoopFuture<Boolean> task = aRunningExecutorTaskHeldBy(release);
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            assertThrows(IllegalArgumentException.class, () -> loop.shutdownDefaultExecutor(Double.NaN));
            runFor(loop.shutdownDefaultExecutor(0.2).toCompletableFuture());
            assertFalse("the task runs on", task.isDone());
            assertTrue(log.messages().toString(), log.messages().contains(
                    "WARNING The executor did not finishing joining its threads within 0.2 seconds."));
        } finally {
            release.countDown();
        }
        assertEquals(Boolean.TRUE, runFor(task.toCompletableFuture()));
        String prefix = "loopkit-executor-" + loop.id() + "-";
        assertTrue(Leaks.threads(prefix).toString(), Leaks.await(() -> Leaks.threads(prefix).isEmpty(), 10));
    }

    /** A task of the default executor that has started and runs until {@code release} (30 s at most). */
    private LoopFuture<Boolean> aRunningExecutorTaskHeldBy(CountDownLatch release) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        LoopFuture<Boolean> task = loop.runInExecutor(null, () -> {
            started.countDown();
            return release.await(30, TimeUnit.SECONDS);
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        return task;
    }

    /**
     * A negative timeout is one that has passed: asyncio 3.12's {@code timeouts.timeout(-1)} expires at
     * once, and {@code shutdown_default_executor} warns and returns. Before, it was refused with an
     * {@code IllegalArgumentException} (an outside review).
     */
    @Test
    public void shutdownDefaultExecutorWithANegativeTimeoutStopsWaitingAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        LoopFuture<Boolean> task = aRunningExecutorTaskHeldBy(release);
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            runFor(loop.shutdownDefaultExecutor(-1).toCompletableFuture());
            assertFalse("the task runs on", task.isDone());
            assertTrue(log.messages().toString(), log.messages().contains(
                    "WARNING The executor did not finishing joining its threads within -1.0 seconds."));
        } finally {
            release.countDown();
        }
        assertEquals(Boolean.TRUE, runFor(task.toCompletableFuture()));
    }

    /**
     * The loop closes while {@code shutdownDefaultExecutor()} waits for a task: once the task ends, the
     * waiting thread has nothing to tell a closed loop (asyncio's {@code _do_shutdown}: "if not
     * self.is_closed()"). Before, it died with an uncaught "Event loop is closed".
     */
    @Test
    public void closingWhileShutdownDefaultExecutorWaitsLeavesNothingUncaught() throws Exception {
        List<String> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
        try {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.runInExecutor(null, () -> {
                started.countDown();
                return release.await(10, TimeUnit.SECONDS);
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            loop.shutdownDefaultExecutor();
            loop.close();
            release.countDown();
            String shutdown = "loopkit-executor-" + loop.id() + "-shutdown";
            assertTrue(shutdown + " ended", Leaks.await(() -> Leaks.threads(shutdown).isEmpty(), 10));
            assertEquals(List.of(), uncaught);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    // ---- exceptions and debug ---------------------------------------------------------------------------

    @Test
    public void aThrowingCallbackReachesTheHandlerAndTheLoopGoesOn() {
        List<Map<String, Object>> contexts = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> {
            assertSame(loop, l);
            contexts.add(context);
        });
        RuntimeException boom = new RuntimeException("boom");
        Runnable failing = () -> {
            throw boom;
        };
        Handle handle = loop.callSoon(failing);
        AtomicInteger after = new AtomicInteger();
        loop.callSoon(after::incrementAndGet);
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(1, after.get());
        assertEquals(1, contexts.size());
        assertEquals("Exception in callback " + failing, contexts.get(0).get("message"));
        assertSame(boom, contexts.get(0).get("exception"));
        assertSame(handle, contexts.get(0).get("handle"));
    }

    /**
     * asyncio's debug mode: a failing callback's context carries {@code source_traceback}, where it
     * was scheduled (callSoon and callLater alike), and the message names the callback itself; out of
     * debug mode there is no traceback.
     */
    @Test
    public void inDebugModeAFailingCallbackReportsWhereItWasScheduled() {
        List<Map<String, Object>> contexts = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> contexts.add(context));
        Runnable failing = () -> {
            throw new IllegalStateException("boom");
        };
        loop.callSoon(failing);
        loop.setDebug(true);
        loop.callSoon(failing);
        loop.callLater(0, failing);
        loop.callLater(0.001, loop::stop);
        loop.runForever();
        assertEquals(3, contexts.size());
        assertNull(contexts.get(0).get("source_traceback"));
        for (Map<String, Object> context : contexts.subList(1, 3)) {
            assertEquals("Exception in callback " + failing, context.get("message"));
            StackTraceElement[] trace = (StackTraceElement[]) context.get("source_traceback");
            assertTrue(Arrays.toString(trace), Arrays.stream(trace)
                    .anyMatch(frame -> frame.getMethodName().equals("inDebugModeAFailingCallbackReportsWhereItWasScheduled")));
            assertTrue(String.valueOf(context.get("handle")), String.valueOf(context.get("handle")).contains(failing.toString()));
        }
    }

    /**
     * A future's done callback is a loop callback like any other (asyncio's {@code call_soon} in
     * {@code __schedule_callbacks}): its failure is reported with the callback's name and its handle,
     * and in debug mode with where the future was completed. (Out of debug mode the loop thread queues
     * the done callback itself as the handle; a thread not running the loop, as here, queues a handle
     * around it, and debug mode one that remembers the scheduling.)
     */
    @Test
    public void aFailingDoneCallbackIsReportedAsACallbackAndInDebugModeWithWhereTheFutureCompleted() {
        List<Map<String, Object>> contexts = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> contexts.add(context));
        Consumer<LoopFuture<String>> failing = f -> {
            throw new IllegalStateException("boom " + f.result());
        };
        LoopFuture<String> plain = loop.createFuture();
        plain.addDoneCallback(failing);
        plain.setResult("plain");
        loop.callSoon(() -> loop.setDebug(true));
        loop.callSoon(() -> {
            LoopFuture<String> debugged = loop.createFuture();
            debugged.addDoneCallback(failing);
            debugged.setResult("debug");
            loop.callSoon(loop::stop); // after the done callback, which was scheduled first
        });
        loop.runForever();
        assertEquals(contexts.toString(), 2, contexts.size());
        for (Map<String, Object> context : contexts) {
            assertEquals("Exception in callback " + failing, context.get("message"));
            String handle = String.valueOf(context.get("handle"));
            assertTrue(handle, handle.startsWith("<Handle ") && handle.contains(failing.toString()));
        }
        assertEquals("boom plain", ((Throwable) contexts.get(0).get("exception")).getMessage());
        assertNull(contexts.get(0).get("source_traceback"));
        assertEquals("boom debug", ((Throwable) contexts.get(1).get("exception")).getMessage());
        StackTraceElement[] trace = (StackTraceElement[]) contexts.get(1).get("source_traceback");
        assertNotNull("a done callback scheduled in debug mode has no source_traceback", trace);
        // its first frame the user's line that completed the future, as asyncio's (the future's own frames left out)
        assertEquals(Arrays.toString(trace), "EventLoopContract.java", trace[0].getFileName());
    }

    @Test
    public void theDefaultHandlerLogsAndAThrowingHandlerIsReported() {
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            loop.callSoon(() -> {
                throw new IllegalStateException("first");
            });
            loop.callSoon(loop::stop);
            loop.runForever();
            assertTrue(log.messages().toString(), log.messages().stream()
                    .anyMatch(m -> m.startsWith("SEVERE Exception in callback ") && m.contains("handle: <Handle")));

            loop.setExceptionHandler((l, context) -> {
                throw new IllegalArgumentException("handler broke");
            });
            loop.callSoon(() -> {
                throw new IllegalStateException("second");
            });
            loop.callSoon(loop::stop);
            loop.runForever();
            assertTrue(log.messages().toString(), log.messages().stream()
                    .anyMatch(m -> m.startsWith("SEVERE Unhandled error in exception handler")));
            loop.setExceptionHandler(null);
            assertNull(loop.getExceptionHandler());
        }
    }

    @Test
    public void debugModeLogsSlowCallbacks() {
        loop.setDebug(true);
        assertTrue(loop.getDebug());
        loop.setSlowCallbackDuration(0.02);
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            loop.callSoon(() -> {
                long end = System.nanoTime() + 40_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
            loop.callSoon(loop::stop);
            loop.runForever();
            assertTrue(log.messages().toString(), log.messages().stream()
                    .anyMatch(m -> m.matches("WARNING Executing <Handle .*> took \\d+\\.\\d{3} seconds")));
        }
    }

    // ---- raw file descriptors -----------------------------------------------------------------------------

    private static final Posix POSIX = Posix.get();

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    public void aPipeReaderRunsOnTheLoopThreadUntilEof() throws Exception {
        int[] pipe = POSIX.pipe();
        POSIX.setNonBlocking(pipe[0], true);
        StringBuilder received = new StringBuilder();
        List<Thread> threads = new ArrayList<>();
        CompletableFuture<String> eof = new CompletableFuture<>();
        ByteBuffer into = ByteBuffer.allocateDirect(64);
        loop.addReader(pipe[0], () -> {
            threads.add(Thread.currentThread());
            try {
                into.clear();
                int read = POSIX.read(pipe[0], into);
                if (read == 0) {
                    assertTrue(loop.removeReader(pipe[0]));
                    eof.complete(received.toString());
                } else if (read > 0) {
                    into.flip();
                    received.append(StandardCharsets.US_ASCII.decode(into));
                }
            } catch (IOException e) {
                eof.completeExceptionally(e);
            }
        });
        Thread writer = new Thread(() -> {
            try {
                for (String part : List.of("one ", "two ", "three")) {
                    POSIX.write(pipe[1], bytes(part));
                }
                POSIX.close(pipe[1]);
            } catch (IOException e) {
                eof.completeExceptionally(e);
            }
        });
        loop.callSoon(writer::start);
        assertEquals("one two three", runFor(eof));
        writer.join();
        Thread loopThread = Thread.currentThread();
        threads.forEach(t -> assertSame(loopThread, t));
        assertFalse(loop.removeReader(pipe[0]));
        POSIX.close(pipe[0]);
    }

    @Test
    public void aReaderThatDoesNotConsumeRunsAgain() throws Exception {
        // level-triggered, as asyncio's selectors: readiness repeats until the data is read
        int[] pipe = POSIX.pipe();
        POSIX.setNonBlocking(pipe[0], true);
        POSIX.write(pipe[1], bytes("abcde"));
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Void> drained = new CompletableFuture<>();
        ByteBuffer one = ByteBuffer.allocate(1);
        loop.addReader(pipe[0], () -> {
            calls.incrementAndGet();
            try {
                one.clear();
                if (POSIX.read(pipe[0], one) == 1 && calls.get() == 5) {
                    loop.removeReader(pipe[0]);
                    drained.complete(null);
                }
            } catch (IOException e) {
                drained.completeExceptionally(e);
            }
        });
        runFor(drained);
        assertEquals(5, calls.get());
        POSIX.close(pipe[0]);
        POSIX.close(pipe[1]);
    }

    @Test
    public void aRawFdReaderNeverRunsInsideAnotherCallback() throws Exception {
        // asyncio's _run_once is the only place callbacks run: readiness reaches the ready queue,
        // and the reader is called by the loop itself, not from inside the callback that carried it.
        int[] pipe = POSIX.pipe();
        POSIX.setNonBlocking(pipe[0], true);
        POSIX.write(pipe[1], bytes("x"));
        CompletableFuture<StackTraceElement> invoker = new CompletableFuture<>();
        loop.callSoon(() -> invoker.complete(new Throwable().getStackTrace()[1])); // what calls a callback
        CompletableFuture<StackTraceElement[]> readerStack = new CompletableFuture<>();
        loop.addReader(pipe[0], () -> {
            loop.removeReader(pipe[0]);
            readerStack.complete(new Throwable().getStackTrace());
        });
        StackTraceElement[] stack = runFor(readerStack);
        StackTraceElement calls = invoker.getNow(null);
        long callbacksOnTheStack = Arrays.stream(stack)
                .filter(frame -> frame.getClassName().equals(calls.getClassName())
                        && frame.getMethodName().equals(calls.getMethodName()))
                .count();
        assertEquals("callbacks on the stack of the reader: " + Arrays.toString(Arrays.copyOf(stack, Math.min(12, stack.length))),
                1, callbacksOnTheStack);
        POSIX.close(pipe[0]);
        POSIX.close(pipe[1]);
    }

    @Test
    public void anEventfdWrittenFromAnotherThreadWakesTheLoop() throws Exception {
        int eventfd = POSIX.eventfd();
        CompletableFuture<Long> value = new CompletableFuture<>();
        loop.addReader(eventfd, () -> {
            try {
                value.complete(POSIX.eventfdRead(eventfd));
            } catch (IOException e) {
                value.completeExceptionally(e);
            }
            loop.removeReader(eventfd);
        });
        Thread poker = new Thread(() -> {
            Leaks.await(loop::isRunning, 10);
            try {
                POSIX.eventfdWrite(eventfd, 42);
            } catch (IOException e) {
                value.completeExceptionally(e);
            }
        });
        poker.start();
        assertEquals(Long.valueOf(42), runFor(value));
        poker.join();
        POSIX.close(eventfd);
    }

    @Test
    public void aWriterOnAPipeAndReplacingAReader() throws Exception {
        int[] pipe = POSIX.pipe();
        POSIX.setNonBlocking(pipe[1], true);
        CompletableFuture<Void> writable = new CompletableFuture<>();
        loop.addWriter(pipe[1], () -> {
            loop.removeWriter(pipe[1]);
            writable.complete(null);
        });
        runFor(writable);
        AtomicInteger first = new AtomicInteger();
        CompletableFuture<Void> second = new CompletableFuture<>();
        loop.addReader(pipe[0], first::incrementAndGet);
        loop.addReader(pipe[0], () -> second.complete(null)); // replaces the first
        POSIX.write(pipe[1], bytes("x"));
        runFor(second);
        assertEquals(0, first.get());
        assertTrue(loop.removeReader(pipe[0]));
        assertFalse(loop.removeWriter(pipe[1]));
        POSIX.close(pipe[0]);
        POSIX.close(pipe[1]);
    }

    /**
     * A reader that closes its descriptor without removing itself, removed a turn later: asyncio's selector
     * still holds the registration (its unregister ignores the OSError), so {@code remove_reader} says True.
     * The selector and proactor loops, which re-arm after each callback, forgot it when the re-arm failed and
     * said false (an outside review).
     */
    @Test
    public void removingTheReaderOfADescriptorClosedInItsOwnCallbackSaysItWasThere() throws Exception {
        int[] pipe = aPipeWhoseReaderClosedItsReadEnd();
        try {
            assertTrue(loop.removeReader(pipe[0]));
        } finally {
            POSIX.close(pipe[1]);
        }
    }

    /** A pipe whose reader closed the read end in its own callback, never removed, a turn after (its re-arm ran). */
    private int[] aPipeWhoseReaderClosedItsReadEnd() throws PosixException {
        int[] pipe = POSIX.pipe();
        POSIX.write(pipe[1], ByteBuffer.wrap(new byte[] {1}));
        CompletableFuture<Void> closed = new CompletableFuture<>();
        loop.addReader(pipe[0], () -> {
            try {
                POSIX.close(pipe[0]);
            } catch (PosixException e) {
                closed.completeExceptionally(e);
            }
            loop.callLater(0.05, () -> closed.complete(null)); // after the loop's re-arm, if it re-arms
        });
        runFor(closed);
        return pipe;
    }

    @Test
    public void badFileDescriptorsAreRefused() throws Exception {
        assertEquals("Invalid file descriptor: -1",
                assertThrows(IllegalArgumentException.class, () -> loop.addReader(-1, () -> { })).getMessage());
        // A number no descriptor has: the kernel gives the lowest free number, so one just closed may be
        // given again to another thread of the JVM before addReader (CI: the proactor loop watched it)
        int neverOpened = 1_000_000;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> loop.addReader(neverOpened, () -> { }))
                .getMessage().startsWith("Invalid file descriptor: " + neverOpened + " ("));
        assertThrows(NullPointerException.class, () -> loop.addWriter(3, null));
        assertFalse(loop.removeReader(12345));
        // asyncio's selector looks a negative number up as it removes too (an outside review: false was returned)
        assertEquals("Invalid file descriptor: -1",
                assertThrows(IllegalArgumentException.class, () -> loop.removeReader(-1)).getMessage());
        assertEquals("Invalid file descriptor: -1",
                assertThrows(IllegalArgumentException.class, () -> loop.removeWriter(-1)).getMessage());
        loop.close();
        assertFalse("a closed loop looks nothing up", loop.removeReader(-1));
    }

    /**
     * A descriptor closed while watched (its writer never removed), and its number opened again: the old
     * registration's callbacks can never run, so they are dropped with a warning naming the descriptor,
     * and the new one is watched at once. asyncio's {@code add_reader} raises then (FileNotFoundError from
     * the selector's modify) or, with the same events, silently watches nothing; this loop refused once,
     * and a transport given the number (below) died of it.
     */
    @Test
    public void aReaderOnTheNumberOfADescriptorClosedWhileWatchedDropsTheOldCallbacksWithAWarningAndRuns()
            throws Exception {
        int[] old = POSIX.pipe();
        loop.addWriter(old[1], () -> { }); // never removed: the user forgot
        POSIX.close(old[1]);
        int[] fresh = POSIX.pipe();
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            assumeTrue("the case needs the closed descriptor's number given to the new pipe; another thread"
                    + " opened a descriptor meanwhile and took it", fresh[0] == old[1]);
            CompletableFuture<Void> ran = new CompletableFuture<>();
            loop.addReader(fresh[0], () -> ran.complete(null));
            POSIX.write(fresh[1], ByteBuffer.wrap(new byte[] {42}));
            runFor(ran);
            assertTrue(loop.removeReader(fresh[0]));
            assertFalse("the closed descriptor's writer went with it", loop.removeWriter(fresh[0]));
            assertTrue(log.messages().toString(), log.messages().stream().anyMatch(message -> message.startsWith(
                    "WARNING File descriptor " + fresh[0] + " was closed while the loop watched it")));
        } finally {
            POSIX.close(old[0]);
            POSIX.close(fresh[0]);
            POSIX.close(fresh[1]);
        }
    }

    /**
     * The same stale registration, and an add on its number while nothing is open there: refused as for
     * any closed descriptor, nothing left watched, and no warning that the number is watched (a third look:
     * the warning came before the watch was tried).
     */
    @Test
    public void anAddOnTheNumberOfADescriptorClosedWhileWatchedAndNotOpenAgainIsRefused() throws Exception {
        int[] old = POSIX.pipe();
        loop.addWriter(old[1], () -> { }); // never removed: the user forgot
        POSIX.close(old[1]);
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            assumeFalse("another thread opened a descriptor at the number meanwhile", POSIX.isOpen(old[1]));
            IllegalArgumentException refused = null;
            try {
                loop.addReader(old[1], () -> { });
            } catch (IllegalArgumentException e) {
                refused = e;
            }
            if (refused == null) {
                // Another thread of the JVM may open a descriptor (a JDK process's pipes) between the look and
                // the add, which then watches it (a module run): not this test's subject, and not ours to watch
                loop.removeReader(old[1]);
                assumeFalse("another thread opened a descriptor at the number as it was added", POSIX.isOpen(old[1]));
                fail("an add on the number of a closed descriptor was accepted");
            }
            assertTrue(refused.getMessage(), refused.getMessage().startsWith("Invalid file descriptor: " + old[1]));
            assertEquals(0, loop.watchedFileDescriptors());
            assertTrue(log.messages().toString(), log.messages().stream().noneMatch(message -> message.contains(
                    "is watched")));
        } finally {
            POSIX.close(old[0]);
        }
    }

    /**
     * A reader that closed its descriptor in its own callback and was never removed, and a pipe transport
     * given the number next (an outside review's second look): the transport's watch was refused as above,
     * so it lost its connection and closed the user's pipe, and the data never came.
     */
    @Test
    public void aReadPipeOnTheNumberOfAReaderClosedInItsOwnCallbackReads() throws Exception {
        int[] old = aPipeWhoseReaderClosedItsReadEnd();
        POSIX.close(old[1]);
        int[] fresh = POSIX.pipe();
        try {
            assumeTrue("the case needs the closed descriptor's number given to the new pipe; another thread"
                    + " opened a descriptor meanwhile and took it", fresh[0] == old[0]);
            CollectingProtocol reader = new CollectingProtocol(1, false);
            runFor(loop.connectReadPipe(() -> reader, fresh[0]));
            POSIX.write(fresh[1], ByteBuffer.wrap(new byte[] {'x'}));
            assertArrayEquals(new byte[] {'x'}, runFor(reader.all));
            assertFalse("connectionLost(" + reader.lost.getNow(null) + ")", reader.lost.isDone());
        } finally {
            POSIX.close(fresh[1]);
        }
    }

    /**
     * A descriptor closed by its owner after {@code connectReadPipe} returned and before the transport
     * started (an outside review's second look): the selector and proactor loops opened their descriptor set
     * only then, it took the freed number, the transport watched the set itself and, failing, closed it; the
     * loop watched nothing after, and its close closed whatever had the number by then.
     */
    @Test
    public void aPipeClosedBeforeItsTransportStartsLeavesTheLoopsOwnDescriptorsAlone() throws Exception {
        int[] pipe = POSIX.pipe();
        CollectingProtocol reader = new CollectingProtocol(1, false);
        CompletionStage<?> connecting = loop.connectReadPipe(() -> reader, pipe[0]);
        POSIX.close(pipe[0]); // the user's mistake: the transport owns it now
        runFor(outcomeOf(connecting, 5));
        int newcomer = POSIX.eventfd();
        String newcomerIs = Leaks.openFds().get(newcomer);
        for (int again = 0; newcomerIs == null && again < 3; again++) {
            // Gone before any step of this test, with the loop idle: another thread of the JVM closed the
            // number (seen twice in full runs of a loop's tests, with the stale-registration warning of
            // another test on that number two seconds before; not found yet). Not this test's subject:
            // said, and another newcomer made, so the steps below are still checked.
            System.err.println("aPipeClosedBeforeItsTransportStarts: eventfd " + newcomer + " was closed by another"
                    + " thread before the test looked; descriptors now: " + Leaks.openFds());
            newcomer = POSIX.eventfd();
            newcomerIs = Leaks.openFds().get(newcomer);
        }
        assertNotNull("eventfd " + newcomer + " closed by another thread each time it was made", newcomerIs);
        try {
            runFor(outcomeOf(reader.lost, 5));
            // Each step checked apart: a run where the newcomer was gone by the end failed only in the
            // clean-up's close, which said nothing of the step that closed it (once on the epoll loop)
            assertEquals("the transport's end left the newcomer open", newcomerIs, Leaks.openFds().get(newcomer));
            int[] later = POSIX.pipe();
            CompletableFuture<Void> ran = new CompletableFuture<>();
            loop.addReader(later[0], () -> ran.complete(null));
            POSIX.write(later[1], ByteBuffer.wrap(new byte[] {1}));
            runFor(ran);
            assertTrue(loop.removeReader(later[0]));
            POSIX.close(later[0]);
            POSIX.close(later[1]);
            assertEquals("the loop's readers left the newcomer open", newcomerIs, Leaks.openFds().get(newcomer));
            loop.close();
            assertEquals("the loop's close left the newcomer open", newcomerIs, Leaks.openFds().get(newcomer));
        } finally {
            if (newcomerIs.equals(Leaks.openFds().get(newcomer))) { // else its number may be another's by now
                POSIX.close(newcomer);
            }
            POSIX.close(pipe[1]);
        }
    }

    @Test
    public void closingReleasesThePollerThreadAndItsDescriptors() throws Exception {
        int[] pipe = POSIX.pipe();
        loop.addReader(pipe[0], () -> { });
        assertEquals(1, loop.watchedFileDescriptors());
        String poller = "loopkit-fdpoller-" + loop.id();
        assertEquals(watchesRawFdsOnAPollerThread() ? List.of(poller) : List.of(), Leaks.threads(poller));
        loop.close();
        assertEquals(List.of(), Leaks.threads(poller));
        POSIX.close(pipe[0]);
        POSIX.close(pipe[1]);
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> loop.addReader(pipe[0], () -> { }));
        assertEquals("Event loop is closed", closed.getMessage());
    }

    // ---- signals ----------------------------------------------------------------------------------------

    private static final int SIGUSR1 = Posix.signal("SIGUSR1");
    private static final int SIGCHLD = Posix.signal("SIGCHLD");

    /** Sends a real signal to this JVM, as a user would: {@code kill -N <pid>}. */
    private static void kill(int signum) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signum, String.valueOf(ProcessHandle.current().pid())).start();
            if (kill.waitFor() != 0) {
                throw new AssertionError("kill -" + signum + " failed");
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** asyncio's {@code add_signal_handler} checks the signal before the loop: {@code _check_signal}, then {@code _check_closed}. */
    @Test
    public void anInvalidSignalOnAClosedLoopIsRefusedAsInvalid() {
        loop.close();
        assertEquals("invalid signal number 0",
                assertThrows(IllegalArgumentException.class, () -> loop.addSignalHandler(0, () -> { })).getMessage());
    }

    /**
     * {@code addSignalHandler} from another thread while the loop closes: either it is refused ("Event
     * loop is closed") or the close removes it; a closed loop never keeps a handler, which would keep
     * the process's handler installed and the signal's default action lost. The dispatcher's lock is
     * held until both threads wait for it, so the add may come after the close's removal of every
     * handler: before, it then stayed.
     */
    @Test
    public void aSignalHandlerAddedWhileTheLoopClosesDoesNotOutliveTheLoop() throws Exception {
        List<String> kept = new ArrayList<>();
        for (int attempt = 0; attempt < 20 && kept.isEmpty(); attempt++) {
            BaseEventLoop closing = newLoop();
            Thread adder;
            Thread closer;
            synchronized (SignalDispatcher.get()) {
                adder = new Thread(() -> {
                    try {
                        closing.addSignalHandler(SIGUSR1, () -> { });
                    } catch (IllegalStateException closed) {
                        // refused: the loop closed first
                    }
                }, "adder");
                adder.start();
                awaitBlocked(adder);
                closer = new Thread(closing::close, "closer");
                closer.start();
                awaitBlocked(closer);
            }
            adder.join(10_000);
            closer.join(10_000);
            if (closing.isClosed() && closing.removeSignalHandler(SIGUSR1)) {
                kept.add("attempt " + attempt + ": the closed " + closing + " still listened to SIGUSR1");
            }
        }
        assertEquals(List.of(), kept);
    }

    private static void awaitBlocked(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.BLOCKED && thread.isAlive() && System.nanoTime() < deadline) {
            Thread.yield(); // the thread's state is the event: nothing to wait on
        }
    }

    @Test
    public void aSignalRunsItsHandlerOnTheLoopThread() {
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        loop.addSignalHandler(SIGUSR1, () -> ranOn.complete(Thread.currentThread()));
        try {
            loop.callSoon(() -> kill(SIGUSR1));
            assertSame(Thread.currentThread(), runFor(ranOn));
        } finally {
            assertTrue(loop.removeSignalHandler(SIGUSR1));
        }
        assertFalse(loop.removeSignalHandler(SIGUSR1));
    }

    /**
     * The handler a signal runs is the one set when the loop gets to the signal, as asyncio's
     * {@code _handle_signal} looks it up as it reads the signal from its wake-up pipe: one replaced or
     * removed by a callback that kept the loop busy as the signal came, or between two runs, does not run.
     * Before, the handler was looked up on the signal's thread as it came, and the old one ran (an outside
     * review; CPython 3.11 runs ['B'] and [] here).
     */
    @Test
    public void aSignalRunsTheHandlerSetWhenTheLoopGetsToIt() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        loop.addSignalHandler(SIGUSR1, () -> ran.add("A"));
        CompletableFuture<Void> replaced = new CompletableFuture<>();
        loop.callSoon(() -> {
            killAndAwaitDelivery(); // busy as the signal comes
            loop.addSignalHandler(SIGUSR1, () -> ran.add("B"));
            loop.callLater(0.2, () -> replaced.complete(null));
        });
        runFor(replaced);
        assertEquals("replaced while the loop was busy", List.of("B"), ran);

        CompletableFuture<Void> removed = new CompletableFuture<>();
        loop.callSoon(() -> {
            killAndAwaitDelivery();
            assertTrue(loop.removeSignalHandler(SIGUSR1));
            loop.callLater(0.2, () -> removed.complete(null));
        });
        runFor(removed);
        assertEquals("removed while the loop was busy", List.of("B"), ran);

        loop.addSignalHandler(SIGUSR1, () -> ran.add("C"));
        killAndAwaitDelivery(); // the loop not running
        assertTrue(loop.removeSignalHandler(SIGUSR1));
        CompletableFuture<Void> between = new CompletableFuture<>();
        loop.callLater(0.2, () -> between.complete(null));
        runFor(between);
        assertEquals("removed between two runs", List.of("B"), ran);
    }

    /**
     * Sends SIGUSR1 and returns once the process-wide dispatcher has handed it to the loop: it hands a
     * signal to its listeners in the order they were added, and a witness added after the loop's handler
     * hears it right after the loop did.
     */
    private static void killAndAwaitDelivery() {
        CountDownLatch delivered = new CountDownLatch(1);
        Object witness = new Object();
        SignalDispatcher.get().add(SIGUSR1, witness, delivered::countDown);
        try {
            kill(SIGUSR1);
            assertTrue("the signal came", delivered.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            SignalDispatcher.get().remove(SIGUSR1, witness);
        }
    }

    /**
     * A signal handler is user code on the loop thread, and may call any public method: here it
     * replaces itself, closes another loop that listens to the same signal (which removes that loop's
     * handler from the process-wide dispatcher), and stops its own loop. Nothing waits for the
     * dispatcher's lock meanwhile, and the handler it added gets the next signal.
     */
    @Test
    public void aSignalHandlerMayReplaceItselfCloseAnotherListenerAndStopItsLoop() {
        BaseEventLoop other = newLoop();
        other.addSignalHandler(SIGUSR1, () -> { });
        List<String> seen = new ArrayList<>();
        CompletableFuture<String> next = new CompletableFuture<>();
        loop.addSignalHandler(SIGUSR1, () -> {
            seen.add("removed itself: " + loop.removeSignalHandler(SIGUSR1));
            loop.addSignalHandler(SIGUSR1, () -> next.complete("the handler it added"));
            other.close();
            seen.add("the other loop closed: " + other.isClosed());
            loop.stop();
        });
        try {
            loop.callSoon(() -> kill(SIGUSR1));
            TimerHandle guard = loop.callLater(DEADLINE_SECONDS, loop::stop);
            loop.runForever();
            guard.cancel();
            assertEquals(List.of("removed itself: true", "the other loop closed: true"), seen);
            loop.callSoon(() -> kill(SIGUSR1));
            assertEquals("the handler it added", runFor(next));
        } finally {
            loop.removeSignalHandler(SIGUSR1);
            other.close();
        }
    }

    @Test
    public void twoLoopsListeningToOneSignalBothGetIt() throws Exception {
        BaseEventLoop other = newLoop();
        CompletableFuture<Thread> otherRanOn = new CompletableFuture<>();
        other.addSignalHandler(SIGUSR1, () -> {
            otherRanOn.complete(Thread.currentThread());
            other.stop();
        });
        Thread otherThread = new Thread(other::runForever, "second-loop");
        otherThread.start();
        CompletableFuture<Void> ours = new CompletableFuture<>();
        loop.addSignalHandler(SIGUSR1, () -> ours.complete(null));
        try {
            loop.callSoon(() -> kill(SIGUSR1));
            runFor(ours);
            assertSame(otherThread, runFor(otherRanOn));
            otherThread.join();
        } finally {
            loop.removeSignalHandler(SIGUSR1);
            other.close(); // closing removes its handlers
        }
        assertFalse(other.removeSignalHandler(SIGUSR1));
    }

    @Test
    public void sigchldIsDeliveredEvenAfterProcessBuilderWasUsed() throws Exception {
        new ProcessBuilder("true").start().waitFor(); // ProcessImpl initialised before and after: both must work
        CompletableFuture<Void> child = new CompletableFuture<>();
        loop.addSignalHandler(SIGCHLD, () -> child.complete(null));
        try {
            loop.callSoon(() -> {
                try {
                    new ProcessBuilder("true").start();
                } catch (IOException e) {
                    child.completeExceptionally(e);
                }
            });
            runFor(child);
        } finally {
            loop.removeSignalHandler(SIGCHLD);
        }
    }

    @Test
    public void uncatchableSignalsAreRefusedInAsynciosWords() {
        for (String uncatchable : List.of("SIGKILL", "SIGSTOP")) {
            int signum = Posix.signal(uncatchable);
            assertEquals("sig " + signum + " cannot be caught", assertThrows(IllegalStateException.class,
                    () -> loop.addSignalHandler(signum, () -> { })).getMessage());
        }
        assertThrows(NullPointerException.class, () -> loop.addSignalHandler(SIGUSR1, null));
    }

    /**
     * The signals the JVM keeps for itself (SIGSEGV, SIGILL, SIGFPE and SIGBUS for its own checks, SIGQUIT
     * for its thread dump), which asyncio can take: refused in asyncio's words, and the message says why.
     * It said only "cannot be caught", the JVM's reason hidden in the cause (an outside review).
     */
    @Test
    public void signalsTheJvmKeepsAreRefusedWithTheJvmsReason() {
        for (String kept : List.of("SIGQUIT", "SIGSEGV")) {
            int signum = Posix.signal(kept);
            String refused = assertThrows(IllegalStateException.class, () -> loop.addSignalHandler(signum, () -> { })).getMessage();
            assertTrue(refused, refused.startsWith("sig " + signum + " cannot be caught: ") && refused.contains(kept));
        }
    }

    @Test
    public void numbersThatAreNoSignalAreRefusedInAsynciosWords() {
        // asyncio's _check_signal: "sig not in signal.valid_signals()", which leaves out glibc's 32 and 33
        for (int invalid : new int[] {0, -1, 32, 33, 65}) {
            assertEquals("invalid signal number " + invalid, assertThrows(IllegalArgumentException.class,
                    () -> loop.addSignalHandler(invalid, () -> { })).getMessage());
            assertEquals("invalid signal number " + invalid, assertThrows(IllegalArgumentException.class,
                    () -> loop.removeSignalHandler(invalid)).getMessage());
        }
    }

    @Test
    public void aRealTimeHandlerMayRemoveItselfAndAddAnother() throws Exception {
        int first = POSIX.sigrtmin() + 5;
        int second = POSIX.sigrtmax();
        CompletableFuture<Void> secondRan = new CompletableFuture<>();
        loop.addSignalHandler(first, () -> {
            assertTrue(loop.removeSignalHandler(first)); // the last real-time handler: the signal thread stops
            loop.addSignalHandler(second, () -> secondRan.complete(null)); // and a new one starts
            sendToSelf(second, secondRan);
        });
        try {
            loop.callSoon(() -> sendToSelf(first, secondRan));
            runFor(secondRan);
        } finally {
            loop.removeSignalHandler(second);
        }
        assertTrue("the signal thread ends with the last real-time handler: " + Leaks.threads("loopkit-signals"),
                Leaks.await(() -> Leaks.threads("loopkit-signals").isEmpty(), 10));
    }

    private static void sendToSelf(int signum, CompletableFuture<?> failsIfNot) {
        try {
            POSIX.kill(POSIX.getpid(), signum);
        } catch (PosixException e) {
            failsIfNot.completeExceptionally(e);
        }
    }

    @Test
    public void realTimeSignalsReachTheHandlerOnTheLoopThread() throws Exception {
        Map<Integer, String> fdsBefore = Leaks.openFds();
        int signum = POSIX.sigrtmin() + 2;
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        loop.addSignalHandler(signum, () -> ranOn.complete(Thread.currentThread()));
        try {
            loop.callSoon(() -> sendToSelf(signum, ranOn));
            assertSame(Thread.currentThread(), runFor(ranOn));
        } finally {
            assertTrue(loop.removeSignalHandler(signum));
        }
        assertFalse(loop.removeSignalHandler(signum));
        assertTrue("the signal thread ends with the last real-time handler: " + Leaks.threads("loopkit-signals"),
                Leaks.await(() -> Leaks.threads("loopkit-signals").isEmpty(), 10));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    @Test
    public void anIdleLoopAndItsFdPollerUseNoCpu() throws Exception {
        // A raw-fd reader makes the helper thread that blocks in epoll_wait (where the loop has one):
        // both threads must sleep.
        int[] pipe = POSIX.pipe();
        loop.addReader(pipe[0], () -> { });
        String pollerName = "loopkit-fdpoller-" + loop.id();
        Thread poller = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(pollerName)).findFirst()
                .orElse(null);
        assertEquals("a " + pollerName + " thread", watchesRawFdsOnAPollerThread(), poller != null);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assertTrue("per-thread CPU time is measurable", threads.isThreadCpuTimeSupported());
        long pollerId = poller == null ? Thread.currentThread().getId() : poller.getId();
        long[] start = new long[2];
        CompletableFuture<Long> cpu = new CompletableFuture<>();
        // Made before the measurement: linking a lambda's call site the first time costs CPU too.
        // Without a poller the loop thread is counted once, not twice.
        Runnable measureEnd = () -> cpu.complete(threads.getCurrentThreadCpuTime() - start[0]
                + (poller == null ? 0 : threads.getThreadCpuTime(pollerId) - start[1]));
        loop.callSoon(() -> {
            start[0] = threads.getCurrentThreadCpuTime();
            start[1] = threads.getThreadCpuTime(pollerId);
            loop.callLater(0.5, measureEnd);
        });
        long used = runFor(cpu);
        assertTrue(loop.removeReader(pipe[0]));
        POSIX.close(pipe[0]);
        POSIX.close(pipe[1]);
        // A busy-polling loop or helper would burn the whole half second; waiting ones use microseconds.
        // CPU time, not wall time: a busy machine delays the threads but does not make them use more.
        assertTrue("loop and fd poller CPU while idle: " + used / 1_000 + " us of 500 ms", used < 20_000_000L);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T> ConcurrentLinkedQueue<T>[] newQueues(int n) {
        ConcurrentLinkedQueue<T>[] queues = new ConcurrentLinkedQueue[n];
        for (int i = 0; i < n; i++) {
            queues[i] = new ConcurrentLinkedQueue<>();
        }
        return queues;
    }

    // ---- runUntilComplete and the default executor, from an outside review --------------------------------

    /** Not a LoopFuture, the stage ran on the other loop: this one waited for good, even for a stage already done. */
    @Test
    public void runUntilCompleteRefusesAMinimalStageOfAnotherLoopsFuture() {
        BaseEventLoop other = newLoop();
        try {
            LoopFuture<String> theirs = other.createFuture();
            theirs.setResult("done");
            CompletionStage<String> stage = ((CompletableFuture<String>) theirs).minimalCompletionStage();
            // a run that waits for the other loop is stopped, and fails the assertion instead of hanging
            TimerHandle guard = loop.callLater(HANG_GUARD_SECONDS, loop::stop);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(stage));
            assertEquals("The future belongs to a different loop than the one specified as the loop argument", refused.getMessage());
            guard.cancel();
            LoopFuture<String> ours = loop.createFuture();
            ours.setResult("ours");
            assertEquals("a minimal stage of its own future runs", "ours",
                    loop.runUntilComplete(((CompletableFuture<String>) ours).minimalCompletionStage()));
        } finally {
            other.close();
        }
    }

    /** shutdownDefaultExecutor() of the common pool waited for ever (it ignores shutdown()), and its waiting thread outlived close(). */
    @Test
    public void theCommonPoolThatNeverShutsDownIsRefusedAsTheDefaultExecutor() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> loop.setDefaultExecutor(java.util.concurrent.ForkJoinPool.commonPool()));
        assertEquals("executor must not be the common pool: it never shuts down", refused.getMessage());
    }

    @Test
    public void shutdownDefaultExecutorEndsAtItsTimeoutNotAtTheNextSecond() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        loop.runInExecutor(null, () -> release.await(30, TimeUnit.SECONDS));
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            double start = loop.time();
            runFor(loop.shutdownDefaultExecutor(1.05).toCompletableFuture());
            double took = loop.time() - start;
            assertTrue("shutdownDefaultExecutor(1.05) took " + took + " s", took < 1.5);
        } finally {
            release.countDown();
        }
    }

    @Test
    public void theLoopsOwnExecutorReplacedBySetDefaultExecutorEndsItsThreads() throws Exception {
        runFor(loop.runInExecutor(null, () -> 1).toCompletableFuture());
        loop.setDefaultExecutor(java.util.concurrent.Executors.newSingleThreadExecutor());
        loop.close();
        String prefix = "loopkit-executor-" + loop.id() + "-";
        assertTrue("executor threads still alive after close: " + Leaks.threads(prefix),
                Leaks.await(() -> Leaks.threads(prefix).isEmpty(), 10));
    }

    /** asyncio: close() shut the executor down and forgot it, so the coroutine returns at once; here the future never completed. */
    @Test
    public void shutdownDefaultExecutorOfAClosedLoopCompletes() throws Exception {
        runFor(loop.runInExecutor(null, () -> 1).toCompletableFuture());
        loop.close();
        assertNull(loop.shutdownDefaultExecutor().get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
    }

    /**
     * asyncio's run_until_complete removes its done callback when the run ends; each run stopped early
     * left one here, and a retry loop around a pending future grew without bound (50 runs, 50 callbacks
     * queued once it completed).
     */
    @Test
    public void aRunUntilCompleteStoppedEarlyLeavesNoDoneCallbackOnTheFuture() {
        LoopFuture<String> pending = loop.createFuture();
        for (int i = 0; i < 50; i++) {
            loop.callSoon(loop::stop);
            IllegalStateException stopped = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(pending));
            assertEquals("Event loop stopped before Future completed.", stopped.getMessage());
        }
        pending.setResult("at last");
        assertEquals("callbacks queued by its completion", 0, loop.stats().callbacks());
        assertEquals("at last", loop.runUntilComplete(pending));
    }

    /** asyncio's result() never waits; a get() in a callback waited for the loop it held, for good. */
    @Test
    public void getOfAPendingFutureOnItsOwnLoopThreadIsRefused() throws Exception {
        LoopFuture<String> pending = loop.createFuture();
        List<String> refusals = new ArrayList<>();
        loop.callSoon(() -> {
            for (Callable<?> wait : List.<Callable<?>>of(pending::get, () -> pending.get(1, TimeUnit.MINUTES),
                    ((CompletableFuture<String>) pending)::join)) {
                try {
                    refusals.add("returned " + wait.call());
                } catch (Exception e) {
                    refusals.add(e.getMessage());
                }
            }
            pending.setResult("set on the loop");
        });
        Thread runner = new Thread(() -> loop.runUntilComplete(pending));
        runner.start();
        runner.join(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
        boolean blocked = runner.isAlive();
        if (blocked) {
            ((CompletableFuture<String>) pending).complete("released by the test thread");
            runner.join();
        }
        assertFalse("a wait on the loop thread blocked the loop", blocked);
        assertEquals(List.of(
                "Result is not set.: get() on the loop's own thread would block the loop that must complete the future",
                "Result is not set.: get(timeout) on the loop's own thread would block the loop that must complete the future",
                "Result is not set.: join() on the loop's own thread would block the loop that must complete the future"), refusals);
        assertEquals("done, a wait there returns", "set on the loop", pending.get());
    }

    /**
     * asyncio's BaseEventLoop.__del__ closes a loop dropped unclosed, with the ResourceWarning "unclosed
     * event loop"; a thread that set a loop and ended without closing it kept its epoll set and eventfd
     * for the life of the JVM (an outside review: 20 threads, 40 descriptors). The next loop made or
     * closed closes what a loop that became garbage left.
     */
    @Test
    public void whatALoopDroppedUnclosedHeldIsClosedOnceItIsGarbage() throws Exception {
        Map<Integer, String> before = Leaks.openFds();
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            ReferenceQueue<BaseEventLoop> collected = new ReferenceQueue<>();
            WeakReference<BaseEventLoop> dropped = ranAndDropped(collected);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
            for (Object cleared = null; cleared == null && System.nanoTime() < deadline; ) {
                System.gc();
                cleared = collected.remove(20); // returns as soon as the collector has cleared the reference
            }
            assertNull("the dropped loop is garbage", dropped.get());
            BaseEventLoop next = newLoop();
            next.close();
            assertEquals("descriptors of the dropped loop", Map.of(), Leaks.newFds(before));
            assertTrue(log.messages().toString(), log.messages().stream().anyMatch(m -> m.contains("unclosed event loop ")));
        }
    }

    private WeakReference<BaseEventLoop> ranAndDropped(ReferenceQueue<BaseEventLoop> collected) {
        BaseEventLoop dropped = newLoop();
        dropped.callSoon(dropped::stop);
        dropped.runForever();
        return new WeakReference<>(dropped, collected);
    }

    // ---- an outside review of futures and timers (2026-12-05) -----------------------------------------

    /**
     * A future of a closed loop completed with a done callback waiting: the dropped callback is said
     * in a log record, and a log handler is user code. One that hands a call on the same future to
     * another thread and waits for it waited for ever: the record was logged under the future's lock.
     */
    @Test
    public void completingAFutureOfAClosedLoopLogsNothingUnderTheFuturesLock() {
        LoopFuture<Integer> future = loop.createFuture();
        Consumer<LoopFuture<Integer>> callback = f -> { };
        future.addDoneCallback(callback);
        loop.close();
        AtomicReference<Boolean> returned = new AtomicReference<>();
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Handler handler = LogHandlers.calling(record -> {
            if (returned.get() == null) {
                returned.set(dev.loopkit.testsupport.OtherThread.returns(() -> future.removeDoneCallback(callback)));
            }
        });
        logger.addHandler(handler);
        try {
            future.setResult(1);
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals("a log handler waited for removeDoneCallback on another thread (null: nothing was logged)",
                Boolean.TRUE, returned.get());
    }

    /**
     * asyncio's {@code InvalidStateError('FINISHED: <Future ...>')} names the future through
     * {@code reprlib}, which never raises: a result whose {@code toString} throws must not replace
     * the refusal of a second result with its own exception.
     */
    @Test
    public void aSecondResultIsRefusedEvenWhenTheFirstResultsToStringThrows() {
        LoopFuture<Object> future = loop.createFuture();
        future.setResult(new Object() {
            @Override
            public String toString() {
                throw new UnsupportedOperationException("no text for this result");
            }
        });
        RuntimeException twice = assertThrows(RuntimeException.class, () -> future.setResult("again"));
        assertEquals(String.valueOf(twice), IllegalStateException.class, twice.getClass());
        assertTrue(twice.getMessage(), twice.getMessage().startsWith("FINISHED"));
    }

    /**
     * asyncio's {@code Handle.cancel()} lets go of the callback at once: what it captured (a request a
     * timeout guards) may be collected while the cancelled timer waits in the heap. Behind a live
     * timer, a cancelled one due in an hour kept it until compaction or its time. In debug mode too,
     * where asyncio keeps only the handle's text: this loop kept the whole callback (a later review).
     */
    @Test
    public void aCancelledTimerLetsGoOfWhatItsCallbackCaptured() throws Exception {
        cancelledTimerLetsGoOfWhatItsCallbackCaptured();
    }

    @Test
    public void aCancelledTimerLetsGoOfWhatItsCallbackCapturedInDebugModeAndStillSaysWhatItWas() throws Exception {
        loop.setDebug(true);
        String said = cancelledTimerLetsGoOfWhatItsCallbackCaptured();
        assertTrue(said, said.startsWith("<TimerHandle cancelled when=") && said.contains("created at EventLoopContract.java:"));
    }

    // The cancelled timer's text once what it captured is gone.
    private String cancelledTimerLetsGoOfWhatItsCallbackCaptured() throws Exception {
        CompletableFuture<String> text = new CompletableFuture<>();
        CompletableFuture<WeakReference<byte[]>> scheduled = new CompletableFuture<>();
        TimerHandle[] earlier = new TimerHandle[1];
        loop.callSoon(() -> {
            earlier[0] = loop.callLater(3000, () -> { }); // on the loop thread: straight into the heap
            byte[] request = new byte[1 << 20];
            TimerHandle cancelled = loop.callLater(3600, () -> fail("the cancelled timer ran: " + request.length));
            cancelled.cancel();
            text.complete(cancelled.toString());
            scheduled.complete(new WeakReference<>(request));
        });
        WeakReference<byte[]> captured = runFor(scheduled);
        for (int i = 0; i < 20 && captured.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        earlier[0].cancel();
        assertNull("a cancelled timer due in an hour, behind a live one, still holds what its callback captured", captured.get());
        return text.get();
    }
}
