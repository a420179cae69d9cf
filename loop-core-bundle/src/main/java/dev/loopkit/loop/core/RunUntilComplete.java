package dev.loopkit.loop.core;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * asyncio's {@code _run_until_complete_cb}: records the future's outcome and stops the loop. The
 * stop only applies to the run that registered it: a future finishing after that run ended must not
 * stop a later one (a loop future's done callback already scheduled when the run ended, say).
 *
 * <p>A loop future's done callback ({@link Consumer}), and the stop any other stage's completion
 * schedules, are the loop's own callbacks: a loop shut down before they ran lost nothing of the
 * user's, and reported them to the user's exception handler as "Event loop closed before the callback
 * ran" (an outside review).
 */
final class RunUntilComplete<T> implements BiConsumer<T, Throwable>, Consumer<LoopFuture<T>>, Scheduler.OwnCallback {

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
        if (active) {
            loop.offerOwn(this); // null if closed in between: nothing to stop
        }
    }

    /** A loop future's done callback. */
    @Override
    public void accept(LoopFuture<T> done) {
        stopIfActive();
    }

    /** The stop another stage's completion scheduled. */
    @Override
    public void run() {
        stopIfActive();
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
