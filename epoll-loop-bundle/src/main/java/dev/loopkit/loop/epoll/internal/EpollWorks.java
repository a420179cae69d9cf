package dev.loopkit.loop.epoll.internal;

import org.osgi.annotation.bundle.Capability;

/**
 * A marker service the probe registers where the epoll loop works: the {@code epoll} loop factory
 * and policy components reference it, so they are satisfied exactly while the marker is registered.
 * An OSGi {@code Condition} would say the same, but Karaf 4.4's system bundle does not export
 * {@code org.osgi.service.condition} (the {@code loopkit} feature did not resolve with it).
 *
 * <p>Declared as a capability of the bundle: the components' reference is a requirement bnd writes
 * into the manifest, and Karaf's feature resolver refuses a bundle whose service requirement no
 * bundle declares it provides.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"dev.loopkit.loop.epoll.internal.EpollWorks\"")
public interface EpollWorks {

    /** The one marker. */
    EpollWorks INSTANCE = new EpollWorks() { };
}
