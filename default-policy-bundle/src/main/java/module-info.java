/**
 * asyncio's event-loop policies: {@code DefaultEventLoopPolicy} and the selector and proactor
 * policies, with their ConfigAdmin binding and Gogo commands.
 */
module dev.loopkit.policy {
    requires transitive dev.loopkit.api;
    requires transitive dev.loopkit.runtime;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.service.metatype.annotations;
    requires static org.osgi.service.cm;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;
    requires static org.apache.felix.gogo.runtime;

    exports dev.loopkit.policy;
    exports dev.loopkit.policy.shell;

    provides dev.loopkit.api.EventLoopPolicy with
            dev.loopkit.policy.DefaultEventLoopPolicy,
            dev.loopkit.policy.SelectorEventLoopPolicy,
            dev.loopkit.policy.ProactorEventLoopPolicy;
}
