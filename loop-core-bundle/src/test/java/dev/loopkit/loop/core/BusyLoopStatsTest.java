package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.spi.LoopStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;

/**
 * {@code loop:loops} on a loop that is busy: the counts are asked of the loop thread with a callback,
 * and the answer is given up after a second. The callback given up on must not stay queued: asked
 * again and again of a blocked loop, such callbacks would pile up, and each would run once it is free.
 * Nor is it anyone's callback: a loop shut down while one is queued has no callback of the user's to report.
 */
public class BusyLoopStatsTest {

    private static final long HANG_GUARD_SECONDS = 30;

    @Test(timeout = 60_000)
    public void theCountingCallbackOfAnAnswerGivenUpOnIsCancelled() throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setBlockedLoopWarning(0); // no checker probe in the count
        Thread thread = new Thread(loop::runForever, "busy loop");
        thread.start();
        try {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicLong runWhenBlocked = new AtomicLong();
            loop.callSoonThreadsafe(() -> {
                runWhenBlocked.set(loop.callbacksRun());
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(entered.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS));

            LoopStats busy = loop.stats();
            assertTrue("busy: " + busy, busy.busy());
            release.countDown();

            CompletableFuture<Long> runNext = new CompletableFuture<>();
            loop.callSoonThreadsafe(() -> runNext.complete(loop.callbacksRun()));
            assertEquals("callbacks run after the blocking one: only this one", runWhenBlocked.get() + 1,
                    (long) runNext.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
        } finally {
            loop.shutdown("test over");
            thread.join();
        }
    }

    /**
     * The JMX bean's look at a new loop asks its stats; a JDK 25 CI run of HotSwapIT saw the loop's bundle
     * stop meanwhile, and the user's exception handler got "Event loop closed before the callback ran"
     * for that count besides its own timer.
     */
    @Test(timeout = 60_000)
    public void aCountQueuedWhenTheLoopShutsDownIsNotReportedAsTheUsersCallback() throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setBlockedLoopWarning(0); // no checker probe either
        List<Map<String, Object>> reported = Collections.synchronizedList(new ArrayList<>());
        loop.setExceptionHandler((l, context) -> reported.add(context));
        Thread thread = new Thread(loop::runForever, "loop shutting down");
        thread.start();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.callSoonThreadsafe(() -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.shutdown("its bundle stopped"); // the count asked meanwhile is still on its way in
        });
        assertTrue(entered.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<LoopStats> asked = new CompletableFuture<>();
        Thread asker = new Thread(() -> asked.complete(loop.stats()), "stats asker");
        asker.start();
        while (asker.getState() != Thread.State.TIMED_WAITING && !asked.isDone()) { // waiting for the count
            Thread.onSpinWait();
        }
        release.countDown();
        thread.join();
        asked.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        assertTrue(loop.isClosed());
        assertEquals("reported: " + reported, List.of(), reported);
    }
}
