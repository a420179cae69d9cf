package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.TimerHandle;
import dev.loopkit.api.spi.LoopStats;
import org.junit.Test;

/**
 * Timers scheduled on a loop that does not run (or from another thread) wait in its queue from other
 * threads until it runs: {@code loop:loops} counted them as callbacks, and none as timers (a review
 * scheduled 200,000 timers an hour away, each cancelled: "callbacks=200000 timers=0").
 */
public class QueuedTimerStatsTest {

    @Test
    public void timersOnTheirWayAreCountedAsTimersAndCallbacksAsCallbacks() {
        ParkingEventLoop loop = new ParkingEventLoop();
        try {
            TimerHandle cancelled = loop.callLater(3600, () -> { });
            loop.callLater(3600, () -> { });
            loop.callLater(3600, () -> { });
            loop.callSoon(() -> { });
            cancelled.cancel();
            LoopStats stats = loop.stats();
            assertEquals("callbacks", 1, stats.callbacks());
            assertEquals("timers", 2, stats.timers());
        } finally {
            loop.close();
        }
    }
}
