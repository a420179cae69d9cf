package dev.loopkit.loop.core;

import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * asyncio's {@code _run_until_complete_cb}: records the future's outcome and stops the loop. The
 * stop only applies to the run that registered it: a future finishing after that run ended must not
 * stop a later one (a loop future's done callback already scheduled when the run ended, say).
 */
final class RunUntilComplete<T> implements BiConsumer<T, Throwable> {

    private final BaseEventLoop loop;
    private volatile boolean active = true;
    private volatile boolean done;
    private T result;
    private Throwable failure;

    RunUntilComplete(BaseEventLoop loop) {
        this.loop = loop;
    }

    @Override
    public void accept(T value, Throwable error) {
        result = value;
        failure = error;
        done = true; // publishes result and failure
        if (!active || loop.isClosed()) {
            return;
        }
        try {
            loop.callSoonThreadsafe(this::stopIfActive);
        } catch (IllegalStateException closed) {
            // closed in between: nothing to stop
        }
    }

    /** asyncio's {@code _run_until_complete_cb}, for the run that is still on. */
    void stopIfActive() {
        if (active) {
            loop.stop();
        }
    }

    void finish() {
        active = false;
    }

    /** The result, or the failure rethrown; "Event loop stopped before Future completed." if not done. */
    T outcome() {
        if (!done) {
            throw new IllegalStateException("Event loop stopped before Future completed.");
        }
        if (failure != null) {
            throw Failures.rethrowable(failure instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : failure);
        }
        return result;
    }
}
