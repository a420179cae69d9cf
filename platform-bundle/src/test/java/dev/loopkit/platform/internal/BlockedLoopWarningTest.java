package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.EventLoop;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.runtime.ProcessWide;
import org.junit.After;
import org.junit.Test;

/**
 * Configuration property {@code blockedLoopWarning}: new loops start with it, live loops that kept
 * the default follow it, a loop with its own keeps that, and a bad value changes nothing (outside
 * OSGi: the selector loop factory comes from ServiceLoader).
 */
public class BlockedLoopWarningTest {

    @After
    public void backToTheProperty() {
        BlockedLoopWarning.apply(null);
    }

    private static BaseEventLoop newLoop() {
        EventLoop loop = ProcessWide.get().loopFactories().find("selector").orElseThrow().service().newEventLoop();
        return (BaseEventLoop) loop;
    }

    @Test
    public void newLoopsAndLiveLoopsWithTheDefaultFollowTheConfiguration() {
        BaseEventLoop withDefault = newLoop();
        BaseEventLoop withItsOwn = newLoop();
        try {
            withItsOwn.setBlockedLoopWarning(7);
            BlockedLoopWarning.apply("0.5");
            assertEquals(0.5, withDefault.getBlockedLoopWarning(), 0);
            assertEquals(7, withItsOwn.getBlockedLoopWarning(), 0);
            BaseEventLoop made = newLoop();
            assertEquals(0.5, made.getBlockedLoopWarning(), 0);
            made.close();
            BlockedLoopWarning.apply(0); // a typed value, as the Web Console's configuration editor saves it
            assertEquals(0, withDefault.getBlockedLoopWarning(), 0);
            BlockedLoopWarning.apply(null);
            assertEquals(Scheduler.propertyBlockedLoopWarningNanos(), Scheduler.defaultBlockedLoopWarningNanos());
            assertEquals(Scheduler.propertyBlockedLoopWarningNanos() / 1e9, withDefault.getBlockedLoopWarning(), 0);
        } finally {
            withDefault.close();
            withItsOwn.close();
        }
    }

    @Test
    public void aBadValueChangesNothing() {
        BlockedLoopWarning.apply("1.5");
        for (Object bad : new Object[] {"-1", "two", Double.NaN, -0.5, "Infinity"}) {
            BlockedLoopWarning.apply(bad);
            assertEquals(String.valueOf(bad), 1_500_000_000L, Scheduler.defaultBlockedLoopWarningNanos());
        }
    }
}
