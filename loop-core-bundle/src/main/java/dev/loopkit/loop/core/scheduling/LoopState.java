package dev.loopkit.loop.core.scheduling;

/**
 * Where a loop is in its life: one value, changed by compare-and-set only (Netty's
 * {@code SingleThreadEventExecutor.state}), so that a run, a stop, a close and a shutdown from
 * different threads always agree on who does what.
 *
 * <pre>
 *  IDLE ──stop()──▶ STOP_ASKED          (asyncio: a stop before the run makes it one iteration)
 *  IDLE, STOP_ASKED ──run──▶ RUNNING, STOPPING ──run ends──▶ IDLE
 *  RUNNING ──stop() or interrupt──▶ STOPPING
 *  RUNNING, STOPPING ──shutdown(reason)──▶ SHUTTING_DOWN ──run ends──▶ CLOSING
 *  IDLE, STOP_ASKED ──close() or shutdown(reason)──▶ CLOSING ──▶ CLOSED
 * </pre>
 */
public enum LoopState {
    /** Open; no thread runs it. */
    IDLE,
    /** Open, not running, and {@code stop()} was called: the next run makes one iteration. */
    STOP_ASKED,
    /** A thread runs it. */
    RUNNING,
    /** A thread runs it and ends the run after the current iteration. */
    STOPPING,
    /** A thread runs it; a shutdown came from elsewhere: the run ends and the loop thread closes it. */
    SHUTTING_DOWN,
    /** A thread closes it and owns its queues meanwhile; scheduling is refused from here on. */
    CLOSING,
    /** Closed for good. */
    CLOSED;

    /** Whether a thread runs the loop ({@code is_running()}). */
    public boolean isRunning() {
        return this == RUNNING || this == STOPPING || this == SHUTTING_DOWN;
    }

    /** Whether scheduling is refused with "Event loop is closed" ({@code is_closed()}). */
    public boolean isClosed() {
        return this == CLOSING || this == CLOSED;
    }
}
