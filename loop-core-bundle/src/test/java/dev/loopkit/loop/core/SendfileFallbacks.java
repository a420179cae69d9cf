package dev.loopkit.loop.core;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Transport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** What a test may see of a {@code sendfile} fallback running on a transport. */
public final class SendfileFallbacks {

    private static final long GIVE_UP_SECONDS = 15;

    private SendfileFallbacks() {
    }

    /**
     * A wait for room in {@code transport}, through the stand-in protocol of the fallback running on
     * it: the future the fallback's next block waits on before it is written.
     */
    public static CompletableFuture<Void> waitForRoom(Transport transport) {
        return ((SendfileFallbackProtocol) transport.getProtocol()).drain().toCompletableFuture();
    }

    /**
     * Completes once the fallback {@code sending} waits for room in {@code transport} (its stand-in
     * protocol was told to pause writing; checked every 10 ms); fails if {@code sending} ended first,
     * or with what the transport and the fallback were doing if it did not wait within 15 s (the
     * test's own deadline is later, and would say only that it timed out).
     */
    public static CompletableFuture<Void> whenWaitingForRoom(BaseEventLoop loop, Transport transport, LoopFuture<Long> sending) {
        return whenWaitingForRoom(loop, transport, sending, () -> { });
    }

    /**
     * As {@link #whenWaitingForRoom(BaseEventLoop, Transport, LoopFuture)}, running {@code then} in the
     * very callback that saw the wait: once that callback returns, other callbacks of the same
     * iteration (a write completing, the buffer falling below its low-water mark) may end the wait
     * before the test thread gets to act on it (ProactorSendfileTest, under load).
     */
    public static CompletableFuture<Void> whenWaitingForRoom(BaseEventLoop loop, Transport transport, LoopFuture<Long> sending,
            Runnable then) {
        return whenPaused(loop, transport, sending, then, look -> loop.callLater(0.01, look));
    }

    /**
     * As {@link #whenWaitingForRoom(BaseEventLoop, Transport, LoopFuture, Runnable)}, looking in every
     * iteration instead of every 10 ms: the first look that sees the transport paused comes in the
     * iteration of the write that paused it or in the next, before any later step of the fallback.
     */
    public static CompletableFuture<Void> whenFirstPaused(BaseEventLoop loop, Transport transport, LoopFuture<Long> sending,
            Runnable then) {
        return whenPaused(loop, transport, sending, then, loop::callSoon);
    }

    private static CompletableFuture<Void> whenPaused(BaseEventLoop loop, Transport transport, LoopFuture<Long> sending,
            Runnable then, Consumer<Runnable> lookAgain) {
        CompletableFuture<Void> waiting = new CompletableFuture<>();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(GIVE_UP_SECONDS);
        Runnable check = new Runnable() {
            @Override
            public void run() {
                if (sending.isDone()) {
                    waiting.completeExceptionally(new AssertionError("the sendfile ended first: " + sending));
                } else if (((SendfileTransport) transport).isWritingPaused()) {
                    then.run();
                    waiting.complete(null);
                } else if (System.nanoTime() - giveUp > 0) {
                    waiting.completeExceptionally(new AssertionError("not waiting for room after " + GIVE_UP_SECONDS
                            + " s: " + transport + ", write buffer " + transport.getWriteBufferSize() + " bytes of "
                            + transport.getWriteBufferLimits() + ", reading " + transport.isReading() + ", protocol "
                            + transport.getProtocol() + ", sending " + sending));
                } else {
                    lookAgain.accept(this);
                }
            }
        };
        check.run();
        return waiting;
    }
}
