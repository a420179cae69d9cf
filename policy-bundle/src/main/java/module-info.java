/**
 * asyncio's event-loop policies: {@code DefaultEventLoopPolicy} and the selector and proactor
 * policies. Nothing else: the main loop and the configuration are {@code dev.loopkit.platform}'s,
 * the shell commands {@code dev.loopkit.shell}'s, so a bundle of one's own may take this one's place.
 */
module dev.loopkit.policy {
    requires transitive dev.loopkit.api;
    requires transitive dev.loopkit.runtime;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.policy;

    provides dev.loopkit.api.EventLoopPolicy with
            dev.loopkit.policy.DefaultEventLoopPolicy,
            dev.loopkit.policy.SelectorEventLoopPolicy,
            dev.loopkit.policy.ProactorEventLoopPolicy;
}
