package dev.loopkit.loop.core.flight;

import static org.junit.Assert.assertEquals;

import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.HoldingChildWatcher;
import org.junit.Test;

/**
 * {@code dev.loopkit.ExitDelivered} names the watcher as {@code dev.loopkit.WatcherSwap} does: its
 * registered name ("pidfd"), else its class's name. It took the runtime's text for messages, which
 * quotes a registered name ("'pidfd'"), so the two events' fields did not match (an outside review).
 */
public class WatcherNameTest {

    @Test
    public void aRegisteredWatcherByItsNameUnquotedAnotherByItsClass() {
        HoldingChildWatcher registered = new HoldingChildWatcher();
        ProcessWide.get().childWatchers().register(registered, "holding", 1, 997, "test");
        try {
            assertEquals("holding", FlightEvents.watcherName(registered));
        } finally {
            ProcessWide.get().childWatchers().unregister(registered);
        }
        assertEquals(HoldingChildWatcher.class.getName(), FlightEvents.watcherName(new HoldingChildWatcher()));
        assertEquals("none", FlightEvents.watcherName(null));
    }
}
