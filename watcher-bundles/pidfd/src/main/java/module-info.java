/** asyncio's {@code PidfdChildWatcher}, published as the {@code pidfd} child watcher where the kernel has pidfds. */
module dev.loopkit.watcher.pidfd {
    requires dev.loopkit.watcher.base;
    requires dev.loopkit.loop.core;
    requires static osgi.core;
    requires static org.osgi.service.component;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.watcher.pidfd;

    provides dev.loopkit.api.ChildWatcher with dev.loopkit.watcher.pidfd.PidfdChildWatcher;
}
