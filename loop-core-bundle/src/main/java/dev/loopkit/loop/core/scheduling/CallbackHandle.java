package dev.loopkit.loop.core.scheduling;

import dev.loopkit.api.Handle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * asyncio's {@code Handle}: a callback waiting in a loop's ready queue. It doubles as the node of
 * the loop's cross-thread {@link InboundQueue}, so scheduling allocates nothing but the handle.
 */
public class CallbackHandle implements Handle {

    private static final VarHandle CANCELLED;

    static {
        try {
            CANCELLED = MethodHandles.lookup().findVarHandle(CallbackHandle.class, "cancelled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Runnable callback;
    /** Where the handle was made, in debug mode only (asyncio's {@code _source_traceback}). */
    final StackTraceElement[] sourceTraceback;
    /** The next node while the handle waits in an {@link InboundQueue}. */
    volatile CallbackHandle next;
    /** Whether the loop took the handle from its {@link InboundQueue}, or its producer took it back. */
    boolean claimed;
    private volatile boolean cancelled;

    CallbackHandle(Runnable callback, StackTraceElement[] sourceTraceback) {
        this.callback = callback;
        this.sourceTraceback = sourceTraceback;
    }

    @Override
    public void cancel() {
        markCancelled();
    }

    /** Cancels; {@code true} for the call that actually cancelled. */
    boolean markCancelled() {
        return CANCELLED.compareAndSet(this, false, true);
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    /** Where the handle was made, in debug mode; {@code null} otherwise. */
    public StackTraceElement[] sourceTraceback() {
        return sourceTraceback;
    }

    /** The callback, for messages. */
    public Runnable callback() {
        return callback;
    }

    @Override
    public String toString() {
        return "<Handle " + (cancelled ? "cancelled " : "") + callback + ">";
    }
}
