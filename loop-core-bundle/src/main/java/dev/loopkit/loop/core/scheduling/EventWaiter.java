package dev.loopkit.loop.core.scheduling;

import java.io.IOException;

/**
 * The one thing a loop implementation adds to the {@link Scheduler}: how to wait for I/O (the
 * selector's {@code select}, the proactor's park while completions arrive, a test's fake).
 */
public interface EventWaiter {

    /**
     * Waits for I/O events, at most {@code timeoutNanos} ({@code -1}: no limit, {@code 0}: do not
     * block), and puts their callbacks in the ready queue with {@link Scheduler#addReady}. Loop
     * thread. Returns early once {@link #wakeup()} was called.
     */
    void await(long timeoutNanos) throws IOException;

    /** Makes an {@link #await} in progress, or the next one, return at once. Any thread. */
    void wakeup();
}
