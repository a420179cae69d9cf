/** A native Linux event loop on one epoll set, published as the {@code epoll} event loop factory where it works. */
module dev.loopkit.loop.epoll {
    requires transitive dev.loopkit.loop.core;
    requires dev.loopkit.posix;
    requires static osgi.core;
    requires static org.osgi.service.component;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.loop.epoll;

    provides dev.loopkit.api.EventLoopFactory with dev.loopkit.loop.epoll.internal.EpollLoopFactory;
}
