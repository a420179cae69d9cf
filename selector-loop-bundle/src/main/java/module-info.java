/** asyncio's {@code SelectorEventLoop}, published as the {@code selector} event loop factory. */
module dev.loopkit.loop.selector {
    requires transitive dev.loopkit.loop.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.loop.selector;

    provides dev.loopkit.api.EventLoopFactory with dev.loopkit.loop.selector.internal.SelectorLoopFactory;
}
