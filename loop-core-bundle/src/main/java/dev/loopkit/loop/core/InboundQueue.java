package dev.loopkit.loop.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The queue other threads schedule into: Dmitry Vyukov's intrusive multi-producer single-consumer
 * queue. A producer pays one atomic swap; the consumer (the loop thread) none. The handles are the
 * nodes, so an offer allocates nothing.
 */
final class InboundQueue {

    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(InboundQueue.class, "tail", CallbackHandle.class);
            NEXT = lookup.findVarHandle(CallbackHandle.class, "next", CallbackHandle.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Consumer side: the last node taken (or the initial stub); its successor is the first element. */
    private CallbackHandle head;
    @SuppressWarnings("unused") // accessed through TAIL
    private volatile CallbackHandle tail;

    InboundQueue() {
        CallbackHandle stub = new CallbackHandle(() -> { }, null);
        head = stub;
        tail = stub;
    }

    /** Any thread. {@code handle} must be new: a node is in the queue at most once in its life. */
    void offer(CallbackHandle handle) {
        CallbackHandle previous = (CallbackHandle) TAIL.getAndSet(this, handle);
        NEXT.setRelease(previous, handle);
    }

    /** Consumer only: the first element, or {@code null} (also while an offer is half done). */
    CallbackHandle poll() {
        CallbackHandle first = (CallbackHandle) NEXT.getAcquire(head);
        if (first == null) {
            return null;
        }
        NEXT.setRelease(head, null); // the old stub is garbage now: do not keep the chain alive
        head = first;
        return first;
    }

    /** Consumer only: how many are queued, by walking the queue (diagnostics). */
    int size() {
        int size = 0;
        for (CallbackHandle node = (CallbackHandle) NEXT.getAcquire(head); node != null;
                node = (CallbackHandle) NEXT.getAcquire(node)) {
            size++;
        }
        return size;
    }

    /**
     * Consumer only: whether a producer has begun an offer since the last poll. It reads the tail the
     * producer swapped, a full fence on its side, where {@link #isEmpty()} reads the link the producer
     * writes afterwards with a mere release store: a producer's next load (the loop's {@code armed}
     * flag) may pass that store, and then neither side would see the other (a lost wake-up). With a
     * volatile write of {@code armed} on the loop's side and this volatile read, one of them must.
     */
    boolean offerBegun() {
        return TAIL.getVolatile(this) != head;
    }

    /** Consumer only. */
    boolean isEmpty() {
        return NEXT.getAcquire(head) == null;
    }
}
