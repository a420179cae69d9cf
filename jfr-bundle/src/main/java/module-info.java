/**
 * JDK Flight Recorder events for what Loopkit's runtime sees: {@code dev.loopkit.WatcherSwap} and
 * {@code dev.loopkit.PolicyChange}. In OSGi a component emits them while this bundle is active; on the
 * module path {@link dev.loopkit.jfr.RuntimeEvents#start()} does.
 */
module dev.loopkit.jfr {
    requires jdk.jfr;
    requires dev.loopkit.api;
    requires dev.loopkit.runtime;
    requires dev.loopkit.loop.core; // JfrTypes: every Loopkit event type described alike
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.jfr;
}
