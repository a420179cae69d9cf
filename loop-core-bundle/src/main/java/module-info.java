/**
 * The machinery every Loopkit event loop shares; loop implementations extend
 * {@link dev.loopkit.loop.core.BaseEventLoop} and supply the waiting primitive.
 */
module dev.loopkit.loop.core {
    requires transitive dev.loopkit.api;
    requires dev.loopkit.signals; // addSignalHandler
    requires jdk.jfr; // the loops' JFR events (EventFactory); optional in OSGi
    // raw file descriptors and subprocesses; optional: without it the loops do everything else
    requires static dev.loopkit.posix;
    requires static org.osgi.service.component.annotations; // FlightEventTypes
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.loop.core;
    exports dev.loopkit.loop.core.scheduling;
    exports dev.loopkit.loop.core.transports;
    exports dev.loopkit.loop.core.tls;
    exports dev.loopkit.loop.core.io;
    exports dev.loopkit.loop.core.subprocess;
    exports dev.loopkit.loop.core.flight;
}
