/**
 * Process signals: one JVM handler per signal shared by every loop's {@code addSignalHandler} and by
 * process-wide listeners such as the multiloop child watcher's, and the signal numbers.
 */
module dev.loopkit.signals {
    requires transitive dev.loopkit.api;
    requires jdk.unsupported; // sun.misc.Signal
    // real-time signals only (SignalPipe); optional: without it the JVM's named signals still work
    requires static dev.loopkit.posix;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.signals;
}
