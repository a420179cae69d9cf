package dev.loopkit.signals;

import java.util.Objects;

/**
 * Process-wide signal listeners that belong to no loop, such as the multiloop child watcher's
 * SIGCHLD handler. They share the JVM handler that {@code addSignalHandler} installs (one per
 * signal, several listeners), run on the JVM's signal thread, and should only do short work there.
 */
public final class ProcessSignals {

    private ProcessSignals() {
    }

    /** A listening registration: closing it stops the listener (idempotent). */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Runs {@code handler} on the JVM's signal thread for each {@code signum} received, until the
     * registration closes.
     *
     * @throws IllegalStateException "sig N cannot be caught"
     */
    public static Registration listen(int signum, Runnable handler) {
        Objects.requireNonNull(handler, "handler");
        Object token = new Object();
        SignalDispatcher.get().add(signum, token, handler);
        return () -> SignalDispatcher.get().remove(signum, token);
    }
}
