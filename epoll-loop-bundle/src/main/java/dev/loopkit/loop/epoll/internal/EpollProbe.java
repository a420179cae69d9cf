package dev.loopkit.loop.epoll.internal;

import dev.loopkit.api.spi.UnavailableService;
import dev.loopkit.loop.epoll.EpollEventLoop;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * At bundle start, where the epoll loop works ({@link EpollEventLoop#unavailableReason()}) the
 * {@link EpollLoopFactory} component is enabled; elsewhere an {@link UnavailableService} says why,
 * so that the shell can show it (as the pidfd watcher's probe does).
 */
@Component(immediate = true)
public final class EpollProbe {

    private ServiceRegistration<UnavailableService> unavailable;

    @Activate
    void activate(ComponentContext context) {
        String reason = reasonItCannotWork();
        if (reason == null) {
            context.enableComponent(EpollLoopFactory.class.getName());
            return;
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("loopkit.name", EpollLoopFactory.NAME);
        properties.put(UnavailableService.KIND_PROPERTY, "event loop factory");
        properties.put(UnavailableService.REASON_PROPERTY, reason);
        unavailable = context.getBundleContext().registerService(UnavailableService.class, () -> reason, properties);
    }

    // The loop class links against dev.loopkit.posix, an optional import: missing, it cannot even load.
    private static String reasonItCannotWork() {
        try {
            return EpollEventLoop.unavailableReason();
        } catch (NoClassDefFoundError missing) {
            return "the epoll loop needs the dev.loopkit.posix bundle (and JNR): " + missing.getMessage() + " is missing";
        }
    }

    @Deactivate
    void deactivate() {
        if (unavailable != null) {
            unavailable.unregister();
            unavailable = null;
        }
    }
}
