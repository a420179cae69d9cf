package dev.loopkit.runtime.internal;

import java.lang.reflect.Proxy;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;

/** A bundle context of a framework that offers no service, for the real activator (its trackers are the real ones). */
final class ServicelessContext {

    private ServicelessContext() {
    }

    static BundleContext of(String frameworkUuid) {
        return (BundleContext) Proxy.newProxyInstance(ServicelessContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "createFilter" -> FrameworkUtil.createFilter((String) args[0]);
                    case "addServiceListener", "removeServiceListener", "getServiceReferences" -> null;
                    case "getProperty" -> Constants.FRAMEWORK_UUID.equals(args[0]) ? frameworkUuid : null;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "context";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
