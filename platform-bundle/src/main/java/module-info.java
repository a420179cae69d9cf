/**
 * What a Loopkit platform runs besides the policies: the main loop, made by whichever policy is
 * process-wide, and the configuration {@code dev.loopkit.policy} that chooses the policy and the
 * child watcher, with the {@link dev.loopkit.platform.ChoiceStore} the shells save those choices in.
 */
module dev.loopkit.platform {
    requires dev.loopkit.api;
    requires dev.loopkit.runtime;
    requires dev.loopkit.loop.core;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.service.metatype.annotations;
    requires static org.osgi.service.cm;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.platform;
}
