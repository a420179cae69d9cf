package dev.loopkit.loop.core;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Transport;
import java.util.concurrent.CompletableFuture;

/** What a test may see of a {@code sendfile} fallback running on a transport. */
public final class SendfileFallbacks {

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
     * protocol was told to pause writing; checked every 10 ms); fails if {@code sending} ended first.
     */
    public static CompletableFuture<Void> whenWaitingForRoom(BaseEventLoop loop, Transport transport, LoopFuture<Long> sending) {
        CompletableFuture<Void> waiting = new CompletableFuture<>();
        Runnable check = new Runnable() {
            @Override
            public void run() {
                if (sending.isDone()) {
                    waiting.completeExceptionally(new AssertionError("the sendfile ended first: " + sending));
                } else if (((SendfileTransport) transport).isWritingPaused()) {
                    waiting.complete(null);
                } else {
                    loop.callLater(0.01, this);
                }
            }
        };
        check.run();
        return waiting;
    }
}
