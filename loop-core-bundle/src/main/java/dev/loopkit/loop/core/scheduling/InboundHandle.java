package dev.loopkit.loop.core.scheduling;

/**
 * A handle another thread can schedule: it doubles as the node of the loop's cross-thread
 * {@link InboundQueue}, so scheduling from another thread allocates nothing but the handle. The
 * loop thread's own {@code callSoon} makes a plain {@link CallbackHandle} instead, 8 bytes smaller
 * without these two fields (16 bytes, not 24: what 1,000,000 callbacks scheduled up front keep
 * alive through a collection).
 */
public class InboundHandle extends CallbackHandle {

    /** The next node while the handle waits in an {@link InboundQueue}. */
    volatile InboundHandle next;
    /** Whether the loop took the handle from its {@link InboundQueue}, or its producer took it back. */
    boolean claimed;

    InboundHandle(Runnable callback) {
        super(callback);
    }

    /**
     * A handle that is its own callback: for a subclass that implements {@link Runnable}, so that
     * scheduling it allocates nothing (a future's done callback is one object instead of a callback
     * and a handle: 16 bytes a future less, JMH {@code -prof gc}, {@code LoopCoreBenchmark.futureChain}).
     * Such a handle is scheduled at most once ({@link Scheduler#schedule}: it becomes a queue node).
     *
     * @throws ClassCastException when the subclass is not a {@link Runnable}
     */
    protected InboundHandle() {
        super();
    }
}
