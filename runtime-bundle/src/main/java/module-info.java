/**
 * What is process-wide: the ranked registries of policies, loop factories and child watchers with
 * their choice rules, the main context, and the watcher switch with its spawn gate and orphanage.
 *
 * <p>Inside OSGi its activator feeds the registries from the service registry; on the module path
 * the registries rank the providers that {@link java.util.ServiceLoader} finds, so the OSGi
 * packages are only needed at compile time.
 */
module dev.loopkit.runtime {
    requires transitive dev.loopkit.api;
    requires static osgi.core;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.runtime;

    uses dev.loopkit.api.EventLoopPolicy;
    uses dev.loopkit.api.EventLoopFactory;
    uses dev.loopkit.api.ChildWatcher;

    provides dev.loopkit.api.LoopkitRuntime with dev.loopkit.runtime.ProcessWide;
}
