package dev.loopkit.shell;

/**
 * What tells a {@code loop:run} that the platform is about to stop, before any bundle does: the run
 * then kills its program and waits for its watcher to report the exit while loops and watchers are
 * still there. Without it, SIGTERM to a platform running {@code -c "loop:run ..."} stopped the loops'
 * bundles under the run: it killed its child with no loop left to hear of its exit, and the child was
 * reaped by init after the JVM had gone.
 */
@FunctionalInterface
public interface PlatformStop {

    /** No platform to stop (the plain module path): nothing ends a run but its program. */
    PlatformStop NEVER = onStop -> () -> {
    };

    /**
     * Calls {@code onStop} on the stopping thread, once the platform begins to stop and before its
     * bundles do; the stop waits for it to return.
     *
     * @return closed when the run is over, so that a later stop does not call {@code onStop}
     */
    Registration whenStopping(Runnable onStop);

    /** A {@link #whenStopping} that the run no longer needs. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
