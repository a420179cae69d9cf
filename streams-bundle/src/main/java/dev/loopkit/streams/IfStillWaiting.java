package dev.loopkit.streams;

import dev.loopkit.api.LoopFuture;

/**
 * Completes a future the streams handed to a caller, unless the caller has cancelled it. The caller
 * may cancel on another thread (a {@code CompletionStage.orTimeout}, a {@code cancel} from elsewhere)
 * in any moment, also between a look at {@code isDone()} and the completion: asyncio's
 * {@code if not fut.done(): fut.set_result(…)} holds only on one thread. The refusal then escaped
 * {@code feedData}, {@code resumeWriting} or {@code connectionLost} (an outside review's probes), so the
 * completion itself is the look. (The loops' core keeps a copy of these two methods: this bundle is
 * built on the contract alone.)
 */
final class IfStillWaiting {

    private IfStillWaiting() {
    }

    /** asyncio's {@code set_result}, or {@code false} when the future is done already. */
    static <T> boolean setResult(LoopFuture<T> future, T value) {
        try {
            future.setResult(value);
            return true;
        } catch (IllegalStateException done) { // asyncio's InvalidStateError: the loop's refusals are the future's own
            return false;
        }
    }

    /**
     * Fails {@code closed}, a connection's future that only {@code waitClosed()} reads, and counts the
     * failure as retrieved, as asyncio's {@code StreamReaderProtocol.__del__} does ({@code closed.exception()}):
     * the reader got the same failure, and a "Future exception was never retrieved" for it told the user of
     * what their read had handled (an outside review: every connection reset).
     */
    static void failClosed(LoopFuture<Void> closed, Throwable failure) {
        setException(closed, failure);
        if (closed.isDone() && !closed.isCancelled()) {
            closed.exception();
        }
    }

    /** asyncio's {@code set_exception}, or {@code false} when the future is done already. */
    static boolean setException(LoopFuture<?> future, Throwable failure) {
        try {
            future.setException(failure);
            return true;
        } catch (IllegalStateException done) {
            return false;
        }
    }
}
