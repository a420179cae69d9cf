/**
 * Loopkit seen and steered through JMX: the MBeans of {@link dev.loopkit.jmx.LoopkitMBeans} under
 * domain {@code dev.loopkit}; on the module path {@link dev.loopkit.jmx.LoopkitMBeans#startOnPlatformServer}
 * puts them on the platform MBean server.
 */
module dev.loopkit.jmx {
    requires transitive java.management;
    requires transitive dev.loopkit.api;
    requires transitive dev.loopkit.runtime;
    requires transitive dev.loopkit.platform;
    requires dev.loopkit.shell;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.jmx;
}
