package dev.loopkit.jfr.internal;

import dev.loopkit.jfr.RuntimeEvents;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/** Emits Loopkit's JFR events while this bundle is active. */
@Component(immediate = true, service = {})
public final class RuntimeEventsComponent {

    private RuntimeEvents events;

    @Activate
    void activate() {
        events = RuntimeEvents.start();
    }

    @Deactivate
    void deactivate() {
        events.close();
    }
}
