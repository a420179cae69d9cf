/** asyncio's {@code MultiLoopChildWatcher}, published as the {@code multiloop} child watcher. */
module dev.loopkit.watcher.multiloop {
    requires dev.loopkit.watcher.base;
    requires dev.loopkit.signals;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.watcher.multiloop;

    provides dev.loopkit.api.ChildWatcher with dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
}
