package dev.loopkit.jfr;

import static org.junit.Assert.assertEquals;

import jdk.jfr.FlightRecorder;
import org.junit.Test;

/**
 * The bundle's event types are registered with JFR while it emits them, and only then. JFR keeps a type
 * registered until it is unregistered, whatever became of the class loader that made it: each update of
 * the bundle left another "Child Watcher Swap" and "Event Loop Policy Change" in every recording's
 * metadata (four of each after three updates, an outside review).
 */
public class EventTypesFollowTheBundleTest {

    @Test
    public void theTypesAreRegisteredOnceWhileTheEventsAreEmittedAndNoLonger() {
        for (int start = 0; start < 2; start++) { // a restart registers them again
            try (RuntimeEvents events = RuntimeEvents.start()) {
                assertEquals("while emitting", 1, registered(LoopkitEvents.WATCHER_SWAP));
                assertEquals("while emitting", 1, registered(LoopkitEvents.POLICY_CHANGE));
            }
            assertEquals("after close", 0, registered(LoopkitEvents.WATCHER_SWAP));
            assertEquals("after close", 0, registered(LoopkitEvents.POLICY_CHANGE));
        }
    }

    private static long registered(String name) {
        return FlightRecorder.getFlightRecorder().getEventTypes().stream().filter(type -> type.getName().equals(name)).count();
    }
}
