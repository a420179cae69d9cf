/** What Loopkit's five child watchers are built from. */
module dev.loopkit.watcher.base {
    requires transitive dev.loopkit.api;
    requires transitive dev.loopkit.posix;
    requires dev.loopkit.signals;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.watcher.base;
}
