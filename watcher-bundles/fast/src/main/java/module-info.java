/** asyncio's {@code FastChildWatcher}, published as the {@code fast} child watcher. */
module dev.loopkit.watcher.fast {
    requires dev.loopkit.watcher.base;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.watcher.fast;

    provides dev.loopkit.api.ChildWatcher with dev.loopkit.watcher.fast.FastChildWatcher;
}
