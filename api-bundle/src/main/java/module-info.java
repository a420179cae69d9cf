/**
 * Loopkit's contract: asyncio's event-loop policies, loops, child watchers and protocols in Java,
 * the {@link dev.loopkit.api.Asyncio} facade and the ranked registry behind it.
 *
 * <p>Inside OSGi the registry tracks services; on the module path it ranks the providers that
 * {@link java.util.ServiceLoader} finds, so the OSGi packages are only needed at compile time.
 */
module dev.loopkit.api {
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.api;
    exports dev.loopkit.api.spi;
    exports dev.loopkit.api.streams;
    exports dev.loopkit.api.subprocess;

    uses dev.loopkit.api.EventLoopPolicy;
    uses dev.loopkit.api.EventLoopFactory;
    uses dev.loopkit.api.ChildWatcher;
}
