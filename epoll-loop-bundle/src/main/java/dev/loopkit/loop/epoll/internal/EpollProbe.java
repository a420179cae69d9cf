package dev.loopkit.loop.epoll.internal;

import dev.loopkit.api.spi.UnavailableService;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.loop.epoll.EpollEventLoopPolicy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * At bundle start, where the epoll loop works ({@link EpollEventLoop#unavailableReason()}) the
 * {@link EpollLoopFactory} and {@link EpollEventLoopPolicy} components are enabled; elsewhere an
 * {@link UnavailableService} for each says why, so that the shell can show it ({@code loop:policies}
 * lists the policy as unavailable, as {@code loop:watchers} lists the pidfd watcher).
 */
@Component(immediate = true)
public final class EpollProbe {

    /** The component enabled where the loop works, by the kind its unavailable stand-in is listed under. */
    static final Map<String, String> COMPONENTS_BY_KIND = Map.of(
            "event loop factory", EpollLoopFactory.class.getName(),
            "event loop policy", EpollEventLoopPolicy.class.getName());

    private final List<ServiceRegistration<UnavailableService>> unavailable = new ArrayList<>();

    @Activate
    void activate(ComponentContext context) {
        apply(context, reasonItCannotWork());
    }

    /** Enables the components where {@code reason} is {@code null}; otherwise publishes why each is missing. */
    void apply(ComponentContext context, String reason) {
        COMPONENTS_BY_KIND.forEach((kind, component) -> {
            if (reason == null) {
                context.enableComponent(component);
                return;
            }
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put("loopkit.name", EpollLoopFactory.NAME);
            properties.put(UnavailableService.KIND_PROPERTY, kind);
            properties.put(UnavailableService.REASON_PROPERTY, reason);
            unavailable.add(context.getBundleContext().registerService(UnavailableService.class, () -> reason, properties));
        });
    }

    // The loop class links against dev.loopkit.posix, an optional import: missing, it cannot even load.
    static String reasonItCannotWork() {
        try {
            return EpollEventLoop.unavailableReason();
        } catch (NoClassDefFoundError missing) {
            return "the epoll loop needs the dev.loopkit.posix bundle (and JNR): " + missing.getMessage() + " is missing";
        }
    }

    @Deactivate
    void deactivate() {
        unavailable.forEach(ServiceRegistration::unregister);
        unavailable.clear();
    }
}
