package dev.loopkit.loop.core.flight.internal;

import dev.loopkit.loop.core.flight.FlightEvents;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Keeps the loops' JFR event types registered while this bundle is active. JFR keeps a type registered
 * until it is unregistered, whatever became of the class loader that made it, so without this each
 * update of the bundle left four more types in every recording's metadata. On the module path the types
 * live as long as the JVM.
 */
@Component(immediate = true, service = {})
public final class FlightEventTypes {

    @Activate
    void activate() {
        FlightEvents.registerTypes();
    }

    @Deactivate
    void deactivate() {
        FlightEvents.unregisterTypes();
    }
}
