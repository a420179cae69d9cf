package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Handle;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.loop.testing.LogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * A cancelled handle lets go of its callback, as asyncio's {@code cancel()} does, but not where asyncio
 * keeps it or the loop needs it: debug mode (the slow-callback warning, the source traceback) and the
 * loop's own callbacks (told apart by their class). The first fix dropped all three (a second review).
 */
public class CancelledHandleTest {

    private static void spin(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /**
     * asyncio's Handle.cancel() keeps the handle's repr in debug mode, "to log the warning 'Executing
     * <Handle...> took 2.5 second'": a callback that cancels its own handle and is slow is named.
     * The first fix said "<Handle cancelled>".
     */
    @Test(timeout = 30_000)
    public void debugModesSlowCallbackWarningNamesACallbackThatCancelledItsOwnHandle() {
        ParkingEventLoop loop = new ParkingEventLoop();
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            loop.setDebug(true);
            loop.setSlowCallbackDuration(0.02);
            Handle[] own = new Handle[1];
            own[0] = loop.callSoon(new Runnable() {
                @Override
                public void run() {
                    own[0].cancel(); // e.g. a job that withdraws itself, then does its work
                    spin(60);
                }

                @Override
                public String toString() {
                    return "slow-job";
                }
            });
            loop.callSoon(loop::stop);
            loop.runForever();
            List<String> slow = log.messages().stream().filter(m -> m.contains("Executing")).toList();
            assertEquals(log.messages().toString(), 1, slow.size());
            assertTrue("debug mode's slow-callback warning does not name the callback: " + slow.get(0),
                    slow.get(0).contains("slow-job"));
        } finally {
            loop.close();
        }
    }

    /**
     * asyncio's cancel() clears _callback but keeps _source_traceback, and in debug mode the repr: a
     * callback that cancels its own handle and then fails is reported with where it was scheduled.
     * Now the Traced wrapper that carried the traceback is dropped with the callback.
     */
    @Test(timeout = 30_000)
    public void inDebugModeAFailingCallbackThatCancelledItsOwnHandleKeepsItsSourceTraceback() {
        ParkingEventLoop loop = new ParkingEventLoop();
        try {
            List<Map<String, Object>> contexts = new ArrayList<>();
            loop.setExceptionHandler((l, context) -> contexts.add(context));
            loop.setDebug(true);
            Handle[] own = new Handle[1];
            own[0] = loop.callSoon(new Runnable() {
                @Override
                public void run() {
                    own[0].cancel();
                    throw new IllegalStateException("boom");
                }

                @Override
                public String toString() {
                    return "failing-job";
                }
            });
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(contexts.toString(), 1, contexts.size());
            Map<String, Object> context = contexts.get(0);
            assertNotNull("debug mode's context lost source_traceback: " + context, context.get("source_traceback"));
            assertTrue("debug mode's handle text lost the callback: " + context.get("handle"),
                    String.valueOf(context.get("handle")).contains("failing-job"));
        } finally {
            loop.close();
        }
    }

    /**
     * In debug mode a cancel keeps the callback's text, which is the user's {@code toString}. Made
     * before the cancel took effect, a {@code toString} that threw an error left the handle uncancelled,
     * and it ran (a review of the 16-byte handle, which first made the text before its compare-and-set).
     */
    @Test(timeout = 30_000)
    public void inDebugModeACallbackWhoseTextThrowsIsCancelledAllTheSame() {
        ParkingEventLoop loop = new ParkingEventLoop();
        try {
            loop.setDebug(true);
            List<String> ran = new ArrayList<>();
            Handle handle = loop.callSoon(new Runnable() {
                @Override
                public void run() {
                    ran.add("cancelled, and ran");
                }

                @Override
                public String toString() {
                    throw new AssertionError("no text");
                }
            });
            AssertionError thrown = assertThrows(AssertionError.class, handle::cancel);
            assertEquals("no text", thrown.getMessage());
            assertTrue("the cancel did not take effect", handle.isCancelled());
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(List.of(), ran);
        } finally {
            loop.close();
        }
    }

    /**
     * stats() asked of a busy loop from another thread gives up after a second and cancels its counting
     * callback (BusyLoopStatsTest). That callback is the loop's own (OwnCallback): counts leave it out.
     * Cancelled, it is a no-op that isOwn no longer recognises, so a loop that stopped before draining
     * it reports one queued callback nobody scheduled.
     */
    @Test(timeout = 60_000)
    public void aCancelledCountingCallbackIsNotCountedAsTheUsersCallback() throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setBlockedLoopWarning(0); // no checker probe in the count
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.callSoon(() -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.stop(); // the run ends with this iteration: the count asked meanwhile is still on its way in
        });
        Thread thread = new Thread(loop::runForever, "busy loop");
        thread.start();
        try {
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            LoopStats busy = loop.stats(); // gives up after 1 s and cancels its counting callback
            assertTrue("busy: " + busy, busy.busy());
            release.countDown();
            thread.join(20_000);
            LoopStats idle = loop.stats(); // not running: counted here
            assertEquals("callbacks queued on a stopped loop whose only queued callback is the loop's own, cancelled: "
                    + idle, 0, idle.callbacks());
        } finally {
            release.countDown();
            thread.join(20_000);
            loop.close();
        }
    }
}
