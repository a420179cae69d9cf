package dev.loopkit.policy.internal;

import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.runtime.SerialWork;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Publishes the {@code default} policy on the loop factory asyncio's default policy uses on this OS
 * ({@link DefaultEventLoopPolicy#platformLoopFactoryName()}: selector on Unix, proactor on
 * Windows), while that factory is there, as a Declarative Services component would publish it:
 * ranking {@value DefaultEventLoopPolicy#RANKING}, {@code loopkit.name} {@value DefaultEventLoopPolicy#NAME},
 * withdrawn and deactivated when its factory goes. A DS reference cannot choose its target by the OS
 * it runs on, hence a registration of its own.
 */
@Component(immediate = true)
public final class DefaultPolicyPublisher {

    /** What is published: the policy, the factory it is bound to, and its registration. */
    private record Published(EventLoopFactory factory, DefaultEventLoopPolicy policy,
            ServiceRegistration<EventLoopPolicy> registration) {
    }

    private final String factoryName = DefaultEventLoopPolicy.platformLoopFactoryName();
    // Guarded by this: the factories of that name (the first is used), the context while active,
    // and what is published.
    private final List<EventLoopFactory> factories = new ArrayList<>();
    private BundleContext context;
    private Published published;
    /**
     * Brings the registration in line with the factories and the context, one step at a time, each
     * step outside the monitor: the framework calls service listeners (user code) synchronously from
     * {@code registerService} and {@code unregister}, and a listener may call this component again,
     * on its thread or on one it waits for. A factory removed while its policy is being registered
     * is withdrawn as soon as the registration returns.
     */
    private final SerialWork reconcile = new SerialWork(() -> {
        while (step()) {
            // each step changed the registration: look again
        }
    });

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFactory(EventLoopFactory factory, Map<String, Object> properties) {
        if (factoryName.equals(properties.get("loopkit.name"))) {
            synchronized (this) {
                factories.add(factory);
            }
            reconcile.request();
        }
    }

    void removeFactory(EventLoopFactory factory) {
        synchronized (this) {
            if (!factories.remove(factory)) {
                return;
            }
        }
        reconcile.request(); // withdrawn, and published on another factory of the same name if there is one
    }

    @Activate
    void activate(BundleContext bundleContext) {
        synchronized (this) {
            context = bundleContext;
        }
        reconcile.request();
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            context = null;
        }
        reconcile.request();
    }

    // One change, or false when there is none to make.
    private boolean step() {
        Published withdrawn;
        boolean bundleStopped = false;
        EventLoopFactory publishOn;
        BundleContext publishWith;
        synchronized (this) {
            EventLoopFactory wanted = context == null || factories.isEmpty() ? null : factories.get(0);
            if (published != null && published.factory() != wanted) {
                withdrawn = published;
                bundleStopped = context == null;
                published = null;
                publishOn = null;
                publishWith = null;
            } else if (published == null && wanted != null) {
                withdrawn = null;
                publishOn = wanted;
                publishWith = context;
            } else {
                return false;
            }
        }
        if (withdrawn != null) {
            withdraw(withdrawn, bundleStopped);
        } else {
            Published registered = publish(publishOn, publishWith);
            synchronized (this) {
                published = registered;
            }
        }
        return true;
    }

    /** For the tests: what is published is what should be (the policy of the first factory, while active). */
    synchronized boolean isInLine() {
        EventLoopFactory wanted = context == null || factories.isEmpty() ? null : factories.get(0);
        return published == null ? wanted == null : published.factory() == wanted;
    }

    private static Published publish(EventLoopFactory factory, BundleContext bundleContext) {
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy(factory);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_RANKING, DefaultEventLoopPolicy.RANKING);
        properties.put("loopkit.name", DefaultEventLoopPolicy.NAME);
        return new Published(factory, policy, bundleContext.registerService(EventLoopPolicy.class, policy, properties));
    }

    // The policy held by user code then says why it went: its factory, or this component's own stop.
    private static void withdraw(Published withdrawn, boolean bundleStopped) {
        try {
            withdrawn.registration().unregister();
        } catch (IllegalStateException alreadyUnregistered) {
            // the bundle stopped meanwhile, and the framework unregistered it
        } finally {
            if (bundleStopped) {
                withdrawn.policy().deactivate(DefaultEventLoopPolicy.BUNDLE_STOPPED);
            } else {
                withdrawn.policy().deactivate();
            }
        }
    }
}
