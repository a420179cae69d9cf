package dev.loopkit.api;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * asyncio's {@code Future}, bound to one loop. Done callbacks run on that loop through
 * {@link EventLoop#callSoon(Runnable)}, in the order they were added.
 *
 * <p>It is also a {@link CompletionStage}, whose stages follow asyncio too: {@code thenApply},
 * {@code thenCompose}, {@code whenComplete} and friends (and their {@code …Async} forms without an
 * executor) run their action as a callback of the loop, never inline in the call that adds or
 * completes, even when the future is already done. A chain of continuations of any length thus uses
 * a bounded stack. Derived stages are loop futures of the same loop. An action's exception fails the
 * derived stage; an {@link Error} also reaches the loop's exception handler (or, a fatal
 * {@link VirtualMachineError} other than a stack overflow, the caller of {@code runForever}).
 *
 * <p>Errors are asyncio's: reading a result that is not set gives {@link IllegalStateException}
 * ({@code InvalidStateError}); a cancelled future gives
 * {@link java.util.concurrent.CancellationException} ({@code CancelledError}); a failed one rethrows
 * its exception, wrapped in {@link java.util.concurrent.CompletionException} when it is checked.
 */
@ProviderType
public interface LoopFuture<T> extends CompletionStage<T>, Future<T> {

    /**
     * asyncio {@code result()}.
     *
     * @throws IllegalStateException "Result is not set." while pending
     */
    T result();

    /**
     * asyncio {@code exception()}: the exception it failed with, or {@code null} if it succeeded.
     *
     * @throws IllegalStateException "Exception is not set." while pending
     * @throws java.util.concurrent.CancellationException when cancelled
     */
    Throwable exception();

    /**
     * asyncio {@code set_result(result)}.
     *
     * @throws IllegalStateException "invalid state" when already done
     */
    void setResult(T result);

    /**
     * asyncio {@code set_exception(exception)}. A {@code CancellationException} cancels the future, with
     * its message: a Java future failed with one is a cancelled one (asyncio's is finished with
     * {@code CancelledError}; awaiting either raises it).
     *
     * @throws IllegalStateException "invalid state" when already done
     */
    void setException(Throwable exception);

    /** asyncio {@code cancel(msg)}: {@code false} when already done. */
    boolean cancel(String message);

    /** asyncio {@code add_done_callback(fn)}: scheduled with {@code callSoon} once done. */
    void addDoneCallback(Consumer<? super LoopFuture<T>> callback);

    /** asyncio {@code remove_done_callback(fn)}: how many registrations were removed. */
    int removeDoneCallback(Consumer<? super LoopFuture<T>> callback);

    /** asyncio {@code get_loop()}. */
    EventLoop getLoop();
}
