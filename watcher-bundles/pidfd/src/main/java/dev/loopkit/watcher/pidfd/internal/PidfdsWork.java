package dev.loopkit.watcher.pidfd.internal;

import org.osgi.annotation.bundle.Capability;

/**
 * A marker service the probe registers where pidfds work: the {@code pidfd} watcher component
 * references it, so it is satisfied exactly while the marker is registered. An OSGi
 * {@code Condition} would say the same, but Karaf 4.4's system bundle does not export
 * {@code org.osgi.service.condition} (the {@code loopkit} feature did not resolve with it).
 *
 * <p>Declared as a capability of the bundle: the components' reference is a requirement bnd writes
 * into the manifest, and Karaf's feature resolver refuses a bundle whose service requirement no
 * bundle declares it provides.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"dev.loopkit.watcher.pidfd.internal.PidfdsWork\"")
public interface PidfdsWork {

    /** The one marker. */
    PidfdsWork INSTANCE = new PidfdsWork() { };
}
