package dev.loopkit.loop.core;

import java.util.concurrent.CompletionException;

/** How a failure stored in a future is rethrown to Java callers. */
final class Failures {

    private Failures() {
    }

    /**
     * Unchecked exceptions and errors as they are (a {@link java.util.concurrent.CancellationException}
     * among them, asyncio's {@code CancelledError}); checked ones inside a {@link CompletionException}.
     */
    static RuntimeException rethrowable(Throwable failure) {
        if (failure instanceof CompletionException completion && completion.getCause() != null) {
            failure = completion.getCause();
        }
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new CompletionException(failure);
    }
}
