/** asyncio's {@code SafeChildWatcher}, published as the {@code safe} child watcher. */
module dev.loopkit.watcher.safe {
    requires dev.loopkit.watcher.base;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.watcher.safe;

    provides dev.loopkit.api.ChildWatcher with dev.loopkit.watcher.safe.SafeChildWatcher;
}
