package dev.loopkit.watcher.pidfd.internal;

import dev.loopkit.api.spi.UnavailableService;
import dev.loopkit.posix.Posix;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * CPython's {@code can_use_pidfd()} at bundle start: where {@code pidfd_open} works on our own pid,
 * the {@link PidfdChildWatcher} component is enabled; elsewhere an {@link UnavailableService} says
 * why, so that {@code loop:watchers} can show it.
 */
@Component(immediate = true)
public final class PidfdProbe {

    private ServiceRegistration<UnavailableService> unavailable;

    @Activate
    void activate(ComponentContext context) {
        String reason = reasonItCannotWork();
        if (reason == null) {
            context.enableComponent(PidfdChildWatcher.class.getName());
            return;
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("loopkit.name", PidfdChildWatcher.NAME);
        properties.put(UnavailableService.KIND_PROPERTY, "child watcher");
        properties.put(UnavailableService.REASON_PROPERTY, reason);
        unavailable = context.getBundleContext().registerService(UnavailableService.class, () -> reason, properties);
    }

    @Deactivate
    void deactivate() {
        if (unavailable != null) {
            unavailable.unregister();
            unavailable = null;
        }
    }

    private static String reasonItCannotWork() {
        if (!Posix.isAvailable()) {
            return Posix.unavailableReason();
        }
        Posix posix = Posix.get();
        return posix.pidfdSupported() ? null : posix.pidfdUnsupportedReason();
    }
}
