package dev.loopkit.jmx.internal;

import dev.loopkit.jmx.LoopkitMBeans;
import dev.loopkit.jmx.LoopkitMBeans.Exporter;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.SerialWork;
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

    private final Exporter platform = LoopkitMBeans.platformServer();
    // Guarded by this: the MBean server services, the MBeans while active, and whether they are on
    // the platform server.
    private final Set<ServiceReference<MBeanServer>> servers = new HashSet<>();
    private LoopkitMBeans mbeans;
    private ServiceExporter services;
    private boolean onPlatform;
    /**
     * Puts the MBeans on the platform server while no MBean server service is there, and takes them
     * back (publishing their services again) when one comes. Outside the monitor: registering an
     * MBean or a service calls the server's and the framework's listeners, user code that may wait
     * for a thread binding a server (MBeanPublisherTest).
     */
    private final SerialWork place = new SerialWork(() -> {
        while (placeStep()) {
            // each step moved the MBeans: look again
        }
    });

    @Activate
    void activate(BundleContext context) {
        LoopkitMBeans made = new LoopkitMBeans(this::save, LOOP_REFRESH_MILLIS);
        ServiceExporter exporter = new ServiceExporter(context);
        synchronized (this) {
            mbeans = made;
            services = exporter;
        }
        made.addExporter(exporter);
        place.request();
    }

    @Deactivate
    void deactivate() {
        LoopkitMBeans closing;
        synchronized (this) {
            closing = mbeans;
            mbeans = null;
            onPlatform = false;
        }
        if (closing != null) {
            closing.close();
        }
    }

    @Reference(service = MBeanServer.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindServer(ServiceReference<MBeanServer> server) {
        synchronized (this) {
            servers.add(server);
        }
        place.request();
    }

    void unbindServer(ServiceReference<MBeanServer> server) {
        synchronized (this) {
            servers.remove(server);
        }
        place.request();
    }

    // One move, or false when the MBeans are where they should be.
    private boolean placeStep() {
        LoopkitMBeans target;
        ServiceExporter republished;
        boolean wanted;
        synchronized (this) {
            wanted = servers.isEmpty();
            if (mbeans == null || wanted == onPlatform) {
                return false;
            }
            target = mbeans;
            republished = services;
            onPlatform = wanted;
        }
        if (wanted) {
            target.addExporter(platform);
        } else {
            target.removeExporter(platform);
            // published again, now that the names are free for the whiteboard
            target.removeExporter(republished);
            target.addExporter(republished);
        }
        return true;
    }

    /**
     * The platform bundle's store, or what to say without it: the platform bundle saves choices, and
     * with it stopped the note blamed ConfigAdmin, which was running (an outside review).
     */
    String save(String key, String value) {
        ChoiceStore current = store;
        return current == null ? NO_STORE : current.save(key, value);
    }

    static final String NO_STORE = " (not saved: bundle dev.loopkit.platform, which saves the choice in configuration "
            + "dev.loopkit.policy, is not active)";
}
