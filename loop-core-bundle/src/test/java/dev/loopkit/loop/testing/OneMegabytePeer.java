package dev.loopkit.loop.testing;

import dev.loopkit.api.Protocol;
import dev.loopkit.api.Transport;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The receiving end of the sendfile tests that stop mid-file: reads 1 MB, then stops. By default it
 * pauses reading, so that the sender's socket fills and its sendfile waits for room
 * ({@link #readUntil} reads on and counts); or it goes away.
 */
final class OneMegabytePeer implements Protocol {
    final CompletableFuture<Void> paused = new CompletableFuture<>();
    final CompletableFuture<Long> all = new CompletableFuture<>();
    Transport transport;
    long received;
    private long expect = Long.MAX_VALUE;
    private final Consumer<Transport> stop;

    OneMegabytePeer() {
        this(Transport::pauseReading); // the sender's socket fills: its sendfile waits for room
    }

    OneMegabytePeer(Consumer<Transport> stop) {
        this.stop = stop;
    }

    @Override
    public void connectionMade(Transport made) {
        transport = made;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        received += data.remaining();
        if (received > 1_000_000 && !paused.isDone()) {
            paused.complete(null);
            stop.accept(transport);
        }
        if (received >= expect) {
            all.complete(received);
        }
    }

    /** Reads on; {@link #all} completes once {@code total} bytes arrived in all. */
    void readUntil(long total) {
        expect = total;
        if (received >= total) {
            all.complete(received);
        }
        transport.resumeReading();
    }
}
