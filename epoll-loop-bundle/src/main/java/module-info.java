/**
 * A native Linux event loop on one epoll set, published where it works as the {@code epoll} event loop
 * factory and the {@code epoll} policy (ranked above asyncio's default one).
 */
module dev.loopkit.loop.epoll {
    requires transitive dev.loopkit.loop.core;
    requires dev.loopkit.posix;
    requires transitive dev.loopkit.policy;
    requires static osgi.core;
    requires static org.osgi.service.component;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.loop.epoll;

    provides dev.loopkit.api.EventLoopFactory with dev.loopkit.loop.epoll.internal.EpollLoopFactory;
    provides dev.loopkit.api.EventLoopPolicy with dev.loopkit.loop.epoll.EpollEventLoopPolicy;
}
