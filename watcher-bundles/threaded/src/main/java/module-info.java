/** asyncio's {@code ThreadedChildWatcher}, published as the {@code threaded} child watcher. */
module dev.loopkit.watcher.threaded {
    requires dev.loopkit.watcher.base;
    requires dev.loopkit.loop.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.watcher.threaded;

    provides dev.loopkit.api.ChildWatcher with dev.loopkit.watcher.threaded.ThreadedChildWatcher;
}
