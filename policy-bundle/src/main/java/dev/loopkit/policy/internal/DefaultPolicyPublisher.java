package dev.loopkit.policy.internal;

import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.policy.DefaultEventLoopPolicy;
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

    private final String factoryName = DefaultEventLoopPolicy.platformLoopFactoryName();
    // Guarded by this: the factories of that name (the first is used), and what is published.
    private final List<EventLoopFactory> factories = new ArrayList<>();
    private BundleContext context;
    private EventLoopFactory publishedOn;
    private DefaultEventLoopPolicy policy;
    private ServiceRegistration<EventLoopPolicy> registration;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void addFactory(EventLoopFactory factory, Map<String, Object> properties) {
        if (factoryName.equals(properties.get("loopkit.name"))) {
            factories.add(factory);
            publish();
        }
    }

    synchronized void removeFactory(EventLoopFactory factory) {
        if (!factories.remove(factory)) {
            return;
        }
        if (factory == publishedOn) {
            withdraw();
            publish(); // on another factory of the same name, if there is one
        }
    }

    @Activate
    synchronized void activate(BundleContext bundleContext) {
        context = bundleContext;
        publish();
    }

    @Deactivate
    synchronized void deactivate() {
        withdraw();
        context = null;
    }

    private void publish() {
        if (context == null || registration != null || factories.isEmpty()) {
            return;
        }
        publishedOn = factories.get(0);
        policy = new DefaultEventLoopPolicy(publishedOn);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_RANKING, DefaultEventLoopPolicy.RANKING);
        properties.put("loopkit.name", DefaultEventLoopPolicy.NAME);
        registration = context.registerService(EventLoopPolicy.class, policy, properties);
    }

    private void withdraw() {
        if (registration == null) {
            return;
        }
        registration.unregister();
        registration = null;
        policy.deactivate();
        policy = null;
        publishedOn = null;
    }
}
