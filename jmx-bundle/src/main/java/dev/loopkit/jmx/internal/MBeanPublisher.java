package dev.loopkit.jmx.internal;

import dev.loopkit.jmx.LoopkitMBeans;
import dev.loopkit.jmx.LoopkitMBeans.Exporter;
import dev.loopkit.platform.ChoiceStore;
import java.util.HashSet;
import java.util.Set;
import javax.management.MBeanServer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Publishes Loopkit's MBeans ({@link LoopkitMBeans}) in OSGi by one rule:
 *
 * <ul>
 * <li>always as OSGi services with property {@code jmx.objectname}: a JMX whiteboard (Karaf's
 * {@code management} feature, Aries JMX) exports them into its MBean servers;</li>
 * <li>and, while no {@link MBeanServer} service is registered (so no whiteboard has a server to export
 * into: the Felix distribution), directly on the platform MBean server.</li>
 * </ul>
 *
 * When an MBean server service appears later, the direct registrations are taken back first and the
 * services published again, so that the whiteboard, not this bundle, holds every name.
 */
@Component(immediate = true)
public final class MBeanPublisher {

    /** How often live loops are looked for (loops are made and closed without telling anyone). */
    private static final long LOOP_REFRESH_MILLIS = 1000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ChoiceStore store;

    // Guarded by this.
    private final Set<ServiceReference<MBeanServer>> servers = new HashSet<>();
    private LoopkitMBeans mbeans;
    private ServiceExporter services;
    private final Exporter platform = LoopkitMBeans.platformServer();
    private boolean onPlatform;

    @Activate
    synchronized void activate(BundleContext context) {
        mbeans = new LoopkitMBeans(this::save, LOOP_REFRESH_MILLIS);
        services = new ServiceExporter(context);
        mbeans.addExporter(services);
        placeOnPlatform();
    }

    @Deactivate
    synchronized void deactivate() {
        mbeans.close();
        mbeans = null;
        onPlatform = false;
    }

    @Reference(service = MBeanServer.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindServer(ServiceReference<MBeanServer> server) {
        servers.add(server);
        placeOnPlatform();
    }

    synchronized void unbindServer(ServiceReference<MBeanServer> server) {
        servers.remove(server);
        placeOnPlatform();
    }

    private void placeOnPlatform() {
        if (mbeans == null) {
            return;
        }
        boolean wanted = servers.isEmpty();
        if (wanted && !onPlatform) {
            mbeans.addExporter(platform);
        } else if (!wanted && onPlatform) {
            mbeans.removeExporter(platform);
            // published again, now that the names are free for the whiteboard
            mbeans.removeExporter(services);
            mbeans.addExporter(services);
        }
        onPlatform = wanted;
    }

    private String save(String key, String value) {
        ChoiceStore current = store;
        return current == null ? ChoiceStore.NOT_SAVED : current.save(key, value);
    }
}
