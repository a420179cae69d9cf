package dev.loopkit.loop.testing;

import dev.loopkit.api.Protocol;
import dev.loopkit.api.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** The client side of the tests: keeps every byte it receives, records EOF, flow control and loss. */
public class CollectingProtocol implements Protocol {

    public final ByteArrayOutputStream received = new ByteArrayOutputStream();
    public final CompletableFuture<Transport> made = new CompletableFuture<>();
    public final CompletableFuture<Void> eof = new CompletableFuture<>();
    public final CompletableFuture<Exception> lost = new CompletableFuture<>();
    public int pauses;
    public int resumes;
    /** Completed once {@link #expect} bytes arrived. */
    public final CompletableFuture<byte[]> all = new CompletableFuture<>();
    private final int expect;
    private final boolean keepOpenAtEof;

    public CollectingProtocol(int expect, boolean keepOpenAtEof) {
        this.expect = expect;
        this.keepOpenAtEof = keepOpenAtEof;
    }

    @Override
    public void connectionMade(Transport transport) {
        made.complete(transport);
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        received.writeBytes(copy);
        if (received.size() >= expect) {
            all.complete(received.toByteArray());
        }
    }

    @Override
    public boolean eofReceived() {
        eof.complete(null);
        return keepOpenAtEof;
    }

    @Override
    public void pauseWriting() {
        pauses++;
    }

    @Override
    public void resumeWriting() {
        resumes++;
    }

    @Override
    public void connectionLost(Exception exc) {
        lost.complete(exc);
    }
}
