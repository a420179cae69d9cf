package dev.loopkit.jmx.internal;

import dev.loopkit.jmx.LoopkitMBeans.Exporter;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import javax.management.DynamicMBean;
import javax.management.ObjectName;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** Publishes each MBean as an OSGi service with property {@value #OBJECT_NAME}, which a JMX whiteboard (Karaf's) exports. */
final class ServiceExporter implements Exporter {

    /** The whiteboard's service property: the MBean's name. */
    static final String OBJECT_NAME = "jmx.objectname";

    private final BundleContext context;
    // Confined: LoopkitMBeans calls its exporters one thread at a time, each call handed over under its lock.
    private final Map<ObjectName, ServiceRegistration<DynamicMBean>> registrations = new HashMap<>();

    ServiceExporter(BundleContext context) {
        this.context = context;
    }

    @Override
    public void export(ObjectName name, DynamicMBean mbean) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(OBJECT_NAME, name.getCanonicalName());
        registrations.put(name, context.registerService(DynamicMBean.class, mbean, properties));
    }

    @Override
    public void unexport(ObjectName name) {
        ServiceRegistration<DynamicMBean> registration = registrations.remove(name);
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyUnregistered) {
                // the bundle is stopping: the framework took it back
            }
        }
    }
}
