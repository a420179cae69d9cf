/** asyncio's {@code ProactorEventLoop}, published as the {@code proactor} event loop factory. */
module dev.loopkit.loop.proactor {
    requires transitive dev.loopkit.loop.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.loop.proactor;

    provides dev.loopkit.api.EventLoopFactory with dev.loopkit.loop.proactor.internal.ProactorLoopFactory;
}
