package dev.loopkit.loop.core;

import dev.loopkit.api.LoopFuture;

/**
 * Completes a future the loop handed to a caller, unless the caller has cancelled it. The caller may
 * cancel on another thread (a {@code CompletionStage.orTimeout}, a {@code cancel} from elsewhere) in
 * any moment, also between a look at {@code isDone()} and the completion: asyncio's
 * {@code if not fut.done(): fut.set_result(…)} holds only on one thread. The refusal then reached the
 * exception handler, and a {@code sock_accept}'s socket stayed open for nobody (an outside review's
 * probes), so the completion itself is the look. (The streams bundle, built on the contract alone,
 * keeps a copy of these two methods.)
 */
public final class IfStillWaiting {

    private IfStillWaiting() {
    }

    /** asyncio's {@code set_result}, or {@code false} when the future is done already. */
    public static <T> boolean setResult(LoopFuture<T> future, T value) {
        try {
            future.setResult(value);
            return true;
        } catch (IllegalStateException done) { // asyncio's InvalidStateError: the loop's refusals are the future's own
            return false;
        }
    }

    /** asyncio's {@code set_exception}, or {@code false} when the future is done already. */
    public static boolean setException(LoopFuture<?> future, Throwable failure) {
        try {
            future.setException(failure);
            return true;
        } catch (IllegalStateException done) {
            return false;
        }
    }
}
