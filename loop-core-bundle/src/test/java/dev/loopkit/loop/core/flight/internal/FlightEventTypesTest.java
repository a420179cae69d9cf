package dev.loopkit.loop.core.flight.internal;

import static org.junit.Assert.assertEquals;

import dev.loopkit.loop.core.flight.FlightEvents;
import java.util.List;
import jdk.jfr.FlightRecorder;
import org.junit.Test;

/**
 * The loops' event types are registered with JFR while the bundle is active, and only then. JFR keeps a
 * type registered until it is unregistered, whatever became of the class loader that made it: the jfr
 * bundle's own types piled up at each of its updates (an outside review), and the loops' four would have
 * at each update of this bundle.
 */
public class FlightEventTypesTest {

    private static final List<String> TYPES = List.of(FlightEvents.BLOCKED_LOOP, FlightEvents.SLOW_CALLBACK,
            FlightEvents.CHILD_SPAWNED, FlightEvents.EXIT_DELIVERED);

    @Test
    public void theTypesAreRegisteredOnceWhileTheBundleIsActiveAndNoLonger() {
        FlightRecorder.getFlightRecorder(); // the types wait for a recorder (FlightEventTypesOnDemandTest)
        FlightEventTypes component = new FlightEventTypes();
        for (int start = 0; start < 2; start++) { // a restart registers them again
            component.activate();
            for (String type : TYPES) {
                assertEquals(type + " while active", 1, registered(type));
            }
            component.deactivate();
            for (String type : TYPES) {
                assertEquals(type + " once stopped", 0, registered(type));
            }
        }
        component.activate(); // as the other tests of this JVM found them
    }

    /**
     * Loops wired to a stopped loop-core keep running until a refresh (for good after a plain stop): an
     * event of theirs is dropped, not thrown. JFR's getEventType() throws for an unregistered type, and the
     * four events threw: a spawn failed after its child was registered, an exit never reached its
     * transport, a slow callback in debug mode ended the run (a second look at this fix).
     */
    @Test
    public void anEventWhileTheTypesAreUnregisteredIsDroppedNotThrown() {
        FlightEventTypes component = new FlightEventTypes();
        component.activate();
        component.deactivate();
        try {
            FlightEvents.slowCallback("loop", "while stopped", 5_000_000L);
            FlightEvents.blockedLoop("loop", "thread", "while stopped", 5_000_000L, 1_000_000L);
            FlightEvents.childSpawned(1, "/bin/true", "loop");
            FlightEvents.exitDelivered(1, 0, null, System.nanoTime());
        } finally {
            component.activate();
        }
    }

    private static long registered(String name) {
        return FlightRecorder.getFlightRecorder().getEventTypes().stream().filter(type -> type.getName().equals(name)).count();
    }
}
