package dev.loopkit.loop.core;

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
}
