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

    private static long registered(String name) {
        return FlightRecorder.getFlightRecorder().getEventTypes().stream().filter(type -> type.getName().equals(name)).count();
    }
}
