package dev.loopkit.loop.epoll.internal;

import dev.loopkit.api.spi.UnavailableService;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.loop.epoll.EpollEventLoopPolicy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * At bundle start, where the epoll loop works ({@link EpollEventLoop#unavailableReason()}) the
 * {@link EpollWorks} marker it registers satisfies the {@link EpollLoopFactory} and
 * {@link EpollEventLoopPolicy} components; elsewhere an {@link UnavailableService} for each says why,
 * so that the shell can show it ({@code loop:policies} lists the policy as unavailable, as
 * {@code loop:watchers} lists the pidfd watcher).
 *
 * <p>A service, not {@code enableComponent}: SCR enables a component later, on its own thread, so
 * the policy became the process-wide one at a moment nobody chose, after its bundle had started. A
 * service registered here satisfies both components within this call, while the bundle starts.
 */
@Component(immediate = true)
public final class EpollProbe {

    /** The kinds the components' unavailable stand-ins are listed under. */
    private static final List<String> KINDS = List.of("event loop factory", "event loop policy");

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    void activate(ComponentContext context) {
        apply(context, reasonItCannotWork());
    }

    /** Satisfies the components where {@code reason} is {@code null}; otherwise publishes why each is missing. */
    void apply(ComponentContext context, String reason) {
        BundleContext bundle = context.getBundleContext();
        if (reason == null) {
            registrations.add(bundle.registerService(EpollWorks.class, EpollWorks.INSTANCE, null));
            return;
        }
        for (String kind : KINDS) {
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put("loopkit.name", EpollLoopFactory.NAME);
            properties.put(UnavailableService.KIND_PROPERTY, kind);
            properties.put(UnavailableService.REASON_PROPERTY, reason);
            registrations.add(bundle.registerService(UnavailableService.class, () -> reason, properties));
        }
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
        registrations.forEach(ServiceRegistration::unregister);
        registrations.clear();
    }
}
