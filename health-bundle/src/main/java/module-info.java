/**
 * Loopkit's Felix Health Checks (tag {@code loopkit}). Felix Health Checks' API jar has no module
 * name of its own: the name JPMS derives from its file is required statically, for compiling; at
 * run time the checks are OSGi services only.
 */
module dev.loopkit.health {
    requires dev.loopkit.api;
    requires dev.loopkit.runtime;
    requires static org.apache.felix.healthcheck.api;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.health;
}
