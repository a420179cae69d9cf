package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertTrue;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.loop.core.flight.FlightEvents;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.lang.management.ManagementFactory;
import jdk.jfr.FlightRecorder;
import org.junit.Test;

/**
 * While no recording takes them, the loops' events cost a flag check and nothing else: a child's
 * spawn and its exit, which run on the path an exit takes after an idle wait, must not pay boxing,
 * an argument array and an event object for an event nobody records.
 */
public class FlightEventsCostTest {

    private static final int CALLS = 100_000;
    private static final ChildWatcher WATCHER = new ThreadedChildWatcher();

    @Test
    public void anEventNobodyRecordsAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        emit(CALLS); // loads and links what the calls need
        long before = threads.getCurrentThreadAllocatedBytes();
        emit(CALLS);
        long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / CALLS;
        assertTrue("bytes allocated per unrecorded event: " + perCall, perCall < 8);
    }

    /** The same once a flight recorder exists, as JMC or any recording makes one: then the types are registered. */
    @Test
    public void anEventNobodyRecordsAllocatesNothingOnceARecorderExists() {
        FlightRecorder.getFlightRecorder();
        anEventNobodyRecordsAllocatesNothing();
    }

    private static void emit(int calls) {
        for (int i = 0; i < calls; i++) {
            long pid = 100_000 + i; // not a boxed cache value
            FlightEvents.childSpawned(pid, "/bin/true", "loop");
            FlightEvents.exitDelivered(pid, 300 + i, i % 2 == 0 ? WATCHER : null, 1_000 + i);
            FlightEvents.slowCallback("loop", "callback", 1_000 + i);
            FlightEvents.blockedLoop("loop", "thread", "callback", 1_000 + i, 100);
        }
    }
}
