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
 * the {@link PidfdsWork} marker it registers satisfies the {@link PidfdChildWatcher} component;
 * elsewhere an {@link UnavailableService} says why, so that {@code loop:watchers} can show it.
 *
 * <p>A service, not {@code enableComponent}: SCR enables a component later, on its own thread, so
 * the watcher became the process-wide one at a moment nobody chose, after its bundle had started. A
 * service registered here satisfies the component within this call, while the bundle starts.
 */
@Component(immediate = true)
public final class PidfdProbe {

    private ServiceRegistration<?> registration;

    @Activate
    void activate(ComponentContext context) {
        String reason = reasonItCannotWork();
        if (reason == null) {
            registration = context.getBundleContext().registerService(PidfdsWork.class, PidfdsWork.INSTANCE, null);
            return;
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("loopkit.name", PidfdChildWatcher.NAME);
        properties.put(UnavailableService.KIND_PROPERTY, "child watcher");
        properties.put(UnavailableService.REASON_PROPERTY, reason);
        registration = context.getBundleContext().registerService(UnavailableService.class, () -> reason, properties);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
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
