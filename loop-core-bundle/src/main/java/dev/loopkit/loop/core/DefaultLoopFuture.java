package dev.loopkit.loop.core;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * asyncio's {@code Future} on top of {@link CompletableFuture}: the JDK keeps the state and the
 * {@link java.util.concurrent.CompletionStage} machinery; this class adds asyncio's accessors and
 * done callbacks, which run through {@link EventLoop#callSoon(Runnable)} in the order they were
 * added (the JDK would run its own dependents last-in, first-out). {@code …Async} stages run on the
 * loop.
 */
public class DefaultLoopFuture<T> extends CompletableFuture<T> implements LoopFuture<T> {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final EventLoop loop;
    // Guarded by this. Null until the first callback; then the callbacks not yet scheduled.
    private List<DoneCallback<T>> callbacks;
    private boolean callbacksScheduled;

    public DefaultLoopFuture(EventLoop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    @Override
    public EventLoop getLoop() {
        return loop;
    }

    @Override
    public T result() {
        if (!isDone()) {
            throw new IllegalStateException("Result is not set.");
        }
        try {
            return join();
        } catch (CompletionException e) {
            throw Failures.rethrowable(e.getCause());
        }
    }

    @Override
    public Throwable exception() {
        if (!isDone()) {
            throw new IllegalStateException("Exception is not set.");
        }
        try {
            join(); // CancellationException propagates, as asyncio's CancelledError does
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Override
    public void setResult(T result) {
        if (!complete(result)) {
            throw new IllegalStateException(state() + ": " + this);
        }
    }

    @Override
    public void setException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        if (exception instanceof CancellationException) {
            throw new IllegalArgumentException("use cancel() to cancel a future, not setException(CancellationException)");
        }
        if (!completeExceptionally(exception)) {
            throw new IllegalStateException(state() + ": " + this);
        }
    }

    @Override
    public boolean cancel(String message) {
        return completeExceptionally(new CancellationException(message));
    }

    @Override
    public void addDoneCallback(Consumer<? super LoopFuture<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        boolean scheduleNow;
        boolean hookNeeded = false;
        synchronized (this) {
            scheduleNow = callbacksScheduled;
            if (!scheduleNow) {
                if (callbacks == null) {
                    callbacks = new ArrayList<>(2);
                    hookNeeded = true;
                }
                callbacks.add(new DoneCallback<>(callback));
            }
        }
        if (scheduleNow) {
            loop.callSoon(() -> callback.accept(this));
        } else if (hookNeeded) {
            // One JDK dependent per future, registered after the list exists: if the future is
            // already done it fires right here and finds the callback.
            whenComplete((result, failure) -> scheduleCallbacks());
        }
    }

    @Override
    public int removeDoneCallback(Consumer<? super LoopFuture<T>> callback) {
        int removed = 0;
        synchronized (this) {
            if (callbacks != null) {
                for (Iterator<DoneCallback<T>> it = callbacks.iterator(); it.hasNext(); ) {
                    if (it.next().callback == callback) {
                        it.remove();
                        removed++;
                    }
                }
            }
        }
        return removed;
    }

    private void scheduleCallbacks() {
        List<DoneCallback<T>> due;
        synchronized (this) {
            callbacksScheduled = true;
            due = callbacks;
            callbacks = null;
        }
        if (due == null) {
            return;
        }
        for (DoneCallback<T> done : due) {
            try {
                loop.callSoon(() -> done.callback.accept(this));
            } catch (IllegalStateException e) {
                LOG.log(Level.WARNING, "done callback of {0} dropped: {1}", this, e.getMessage());
            }
        }
    }

    /** {@code …Async} stages run on the loop. */
    @Override
    public Executor defaultExecutor() {
        return loop;
    }

    /** asyncio's state names: PENDING, CANCELLED, FINISHED. */
    public String state() {
        return !isDone() ? "PENDING" : isCancelled() ? "CANCELLED" : "FINISHED";
    }

    @Override
    public String toString() {
        if (!isDone()) {
            return "<Future pending>";
        }
        if (isCancelled()) {
            return "<Future cancelled>";
        }
        Throwable failure = exception();
        return failure != null ? "<Future finished exception=" + failure + ">" : "<Future finished result=" + join() + ">";
    }

    private record DoneCallback<T>(Consumer<? super LoopFuture<T>> callback) {
    }
}
