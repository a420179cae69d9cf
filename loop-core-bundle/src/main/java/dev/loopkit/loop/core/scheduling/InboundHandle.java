package dev.loopkit.loop.core.scheduling;

/**
 * A handle another thread can schedule: it doubles as the node of the loop's cross-thread
 * {@link InboundQueue}, so scheduling from another thread allocates nothing but the handle. The
 * loop thread's own {@code callSoon} makes a plain {@link CallbackHandle} instead, without these
 * two fields (its comment says what the 8 bytes cost).
 */
public class InboundHandle extends CallbackHandle {

    /** The next node while the handle waits in an {@link InboundQueue}. */
    volatile InboundHandle next;
    /** Whether the loop took the handle from its {@link InboundQueue}, or its producer took it back. */
    boolean claimed;

    InboundHandle(Runnable callback) {
        super(callback);
    }

    /** A handle that is its own callback, for another thread to schedule (see {@link CallbackHandle#CallbackHandle()}). */
    protected InboundHandle() {
        super();
    }
}
