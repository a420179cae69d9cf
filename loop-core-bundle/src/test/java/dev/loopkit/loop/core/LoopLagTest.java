package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.loop.testing.Leaks;
import java.util.concurrent.CountDownLatch;
import org.junit.Test;

/**
 * Loop lag, as {@code loop:loops} shows it: how long a callback scheduled from another thread waits
 * for its run, measured by the blocked-loop checker's probe.
 */
public class LoopLagTest {

    private static final double HANG_GUARD_SECONDS = 30;

    @Test(timeout = 60_000)
    public void aBlockedLoopLagsUntilItRunsAgainAndAStoppedOneHasNoFigure() throws InterruptedException {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setBlockedLoopWarning(0.2);
        assertEquals("before any run", -1.0, loop.stats().lagMillis(), 0.0);
        Thread thread = new Thread(loop::runForever, "lagging loop");
        thread.start();
        try {
            // Asking for stats wakes the loop too: an idle loop shows 0 or the little its probe waited.
            assertTrue("a running loop has a figure: " + loop.stats(),
                    Leaks.await(() -> loop.stats().lagMillis() >= 0, HANG_GUARD_SECONDS));

            CountDownLatch release = new CountDownLatch(1);
            loop.callSoonThreadsafe(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue("the probe waits behind the blocking callback: " + loop.stats(),
                    Leaks.await(() -> loop.stats().lagMillis() >= 1000, HANG_GUARD_SECONDS));
            LoopStats blocked = loop.stats();
            assertTrue("busy and lagging: " + blocked, blocked.busy());
            release.countDown();
            assertTrue("idle again, the lag falls back: " + loop.stats(),
                    Leaks.await(() -> loop.stats().lagMillis() >= 0 && loop.stats().lagMillis() < 1000, HANG_GUARD_SECONDS));
        } finally {
            loop.shutdown("test over");
            thread.join();
        }
        assertEquals("closed", -1.0, loop.stats().lagMillis(), 0.0);
    }

    // CI at 053eecf: loop:loops showed two callbacks for a stopped loop that had one, the other
    // the checker's probe sent during its run and still queued.
    @Test(timeout = 60_000)
    public void aProbeLeftQueuedWhenTheRunEndsIsNotCountedAsACallback() {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setBlockedLoopWarning(0.04); // the checker looks every 10 ms
        try {
            loop.callSoon(() -> {
                // Busy, never asleep: the checker sends a probe, which waits behind this callback.
                long giveUp = System.nanoTime() + (long) (HANG_GUARD_SECONDS * 1e9);
                while (loop.stats().lagMillis() <= 1 && System.nanoTime() < giveUp) {
                    Thread.onSpinWait();
                }
                loop.callSoon(() -> { });
                loop.stop();
            });
            loop.runForever();
            LoopStats stopped = loop.stats();
            assertEquals("the callback scheduled, not the probe: " + stopped, 1, stopped.callbacks());
        } finally {
            loop.close();
        }
    }

    @Test(timeout = 60_000)
    public void withTheDetectorOffThereIsNoFigure() throws InterruptedException {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setBlockedLoopWarning(0);
        Thread thread = new Thread(loop::runForever, "unwatched loop");
        thread.start();
        try {
            assertTrue(Leaks.await(loop::isRunning, HANG_GUARD_SECONDS));
            Thread.sleep(300); // a checker would have probed several times by now
            assertEquals(-1.0, loop.stats().lagMillis(), 0.0);
        } finally {
            loop.shutdown("test over");
            thread.join();
        }
    }
}
