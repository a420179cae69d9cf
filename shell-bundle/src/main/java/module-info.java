/**
 * The {@code loop:} shell commands: {@code dev.loopkit.shell} says what each prints, whatever the
 * shell; the Felix Gogo commands are registered here, the Karaf actions by {@code dev.loopkit.karaf}.
 */
module dev.loopkit.shell {
    requires transitive dev.loopkit.api;
    requires transitive dev.loopkit.runtime;
    requires transitive dev.loopkit.platform;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;
    requires static org.apache.felix.gogo.runtime;

    exports dev.loopkit.shell;
}
