package dev.loopkit.loop.core;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.scheduling.CallbackHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;

/**
 * One {@code runInExecutor} call (asyncio's {@code run_in_executor} and its {@code wrap_future}):
 * the function runs on an executor thread; its outcome reaches the loop future on the loop thread;
 * cancelling the loop future cancels the task (interrupting it only for {@code cancel(true)}), a task cancelled by its executor's
 * owner cancels the loop future. A loop closed meanwhile still has the outcome complete the future, where
 * asyncio's {@code _chain_future} drops it: a Java thread may wait on the future, and waited for ever (an
 * outside review). No done callback runs then: the loop is closed.
 */
final class ExecutorTask<T> extends FutureTask<T> {

    private final EventLoop loop;
    private final LoopFuture<T> future;
    private final Callable<T> function;

    private ExecutorTask(EventLoop loop, LoopFuture<T> future, Callable<T> function) {
        super(function);
        this.loop = loop;
        this.future = future;
        this.function = function;
    }

    /** Runs {@code function} on {@code executor}; the returned future completes on {@code loop}'s thread. */
    static <T> LoopFuture<T> submit(EventLoop loop, Executor executor, Callable<T> function) {
        CancellingFuture<T> future = new CancellingFuture<>(loop);
        ExecutorTask<T> task = new ExecutorTask<>(loop, future, function);
        future.task = task;
        executor.execute(task);
        return future;
    }

    /**
     * Passes its cancel on to the task, as it happens: {@code cancel(true)} interrupts the running
     * function, as Java's contract says; {@code cancel(false)} and asyncio's {@code cancel(msg)} (a
     * {@code CancellationException} completion) let it finish, as asyncio's {@code wrap_future} never
     * interrupts. Before, a done callback did it, queued on the loop after every result: a loop shut down
     * right after a result reported that callback as "closed before the callback ran" (a CI run of
     * HotSwapIT; {@code EventLoopContract.aShutdownAfterAnExecutorsResultReportsNoCallbackOfTheExecutors}).
     */
    private static final class CancellingFuture<T> extends DefaultLoopFuture<T> {
        volatile ExecutorTask<T> task;

        CancellingFuture(EventLoop loop) {
            super(loop);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                task.cancel(mayInterruptIfRunning);
            }
            return cancelled;
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            boolean completed = super.completeExceptionally(failure);
            if (completed && isCancelled()) {
                task.cancel(false);
            }
            return completed;
        }
    }

    @Override
    protected void done() {
        if (isCancelled() && future.isDone()) {
            return; // the loop future was cancelled first and cancelled us
        }
        // Otherwise the outcome, or a cancel by the executor's owner (shutdownNow() and a cancel of each
        // task it never ran: asyncio's shutdown(cancel_futures=True)), which the loop future must hear of.
        try {
            loop.callSoonThreadsafe(new Outcome());
        } catch (IllegalStateException closedMeanwhile) {
            complete();
        }
    }

    /** The outcome on its way to the loop future; a loop that closes before it runs releases it, which completes the future. */
    private final class Outcome implements Runnable, LoopResource {
        @Override
        public void run() {
            complete();
        }

        @Override
        public void release() {
            complete();
        }

        @Override
        public String toString() {
            return "outcome of " + CallbackHandle.textOf(function);
        }
    }

    // The loop thread, or any once the loop is closed.
    private void complete() {
        if (isCancelled()) {
            future.cancel("cancelled by its executor");
            return;
        }
        try {
            IfStillWaiting.setResult(future, get()); // its caller may cancel it on any thread, in any moment
        } catch (ExecutionException e) {
            IfStillWaiting.setException(future, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // cannot happen: the task is done
        }
    }
}
