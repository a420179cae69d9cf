package dev.loopkit.watcher.tests;

import dev.loopkit.api.Asyncio;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.runtime.ProcessWide;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/** Work run on a loop that runs on a thread of its own, waited for with a deadline instead of a hang. */
final class LoopWork {

    static final long DEADLINE_SECONDS = 30;

    private LoopWork() {
    }

    /**
     * The process-wide runtime as a switch test starts from: the watchers ServiceLoader finds loaded
     * (once, and not the test's), a fresh default policy installed. Returns a capture of Loopkit's log.
     */
    static LogCapture defaultPolicyAndLog() {
        ProcessWide.get().childWatchers().current();
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy());
        return LogCapture.of("dev.loopkit");
    }

    /** Runs {@code work} on {@code someLoop}'s thread and waits for its result, failing instead of hanging. */
    static <T> T on(BaseEventLoop someLoop, Supplier<? extends CompletionStage<T>> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        someLoop.callSoonThreadsafe(() -> {
            try {
                work.get().whenComplete(into(result));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        return await(result, "the loop's work");
    }

    static <T> T await(CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("hung: " + what + " did not complete in " + DEADLINE_SECONDS + " s (deadlock?)");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Completes {@code future} as the stage it is given to completes. */
    static <T> BiConsumer<T, Throwable> into(CompletableFuture<T> future) {
        return (value, error) -> {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(value);
            }
        };
    }
}
