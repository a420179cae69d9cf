/**
 * asyncio's {@code streams.py} and {@code subprocess.py}: streams and high-level subprocesses built
 * on the contract alone, so they work over any loop.
 */
module dev.loopkit.streams {
    requires transitive dev.loopkit.api;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.streams;
    exports dev.loopkit.subprocess;
}
