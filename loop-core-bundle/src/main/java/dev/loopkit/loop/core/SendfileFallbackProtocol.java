package dev.loopkit.loop.core;

import dev.loopkit.api.BaseProtocol;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Transport;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;

/**
 * asyncio's {@code _SendfileFallbackProtocol}: stands in for the transport's protocol while
 * {@code sendfile} writes the file through the transport. Reading is paused; {@link #drain()} waits
 * while the transport asks its protocol to pause writing (its flow control); the real protocol still
 * hears {@code connectionLost}. {@link #restore()} puts everything back as it was.
 */
final class SendfileFallbackProtocol implements Protocol {

    private final BaseEventLoop loop;
    private final SendfileTransport transport;
    private final BaseProtocol original;
    private final boolean shouldResumeReading;
    private final boolean shouldResumeWriting;
    private LoopFuture<Void> writeReady;

    SendfileFallbackProtocol(BaseEventLoop loop, SendfileTransport transport) {
        this.loop = loop;
        this.transport = transport;
        this.original = transport.getProtocol();
        this.shouldResumeReading = transport.isReading();
        this.shouldResumeWriting = transport.isWritingPaused();
        transport.pauseReading();
        transport.setProtocol(this);
        if (shouldResumeWriting) {
            writeReady = waitForRoom();
        }
    }

    /** Done once the transport takes more: at once unless its protocol was asked to pause writing. */
    LoopFuture<Void> drain() {
        LoopFuture<Void> ready = loop.createFuture();
        if (transport.isClosing()) {
            ready.setException(closedByPeer());
        } else if (writeReady == null) {
            ready.setResult(null);
        } else {
            writeReady.whenComplete((ok, error) -> {
                Throwable failed = error == null ? null : Networks.unwrap(error);
                if (failed == null) {
                    ready.setResult(null);
                } else if (failed instanceof CancellationException) {
                    ready.cancel(false); // restore() after a cancelled sendfile: asyncio's cancel reaches the awaited future
                } else {
                    ready.setException(failed);
                }
            });
        }
        return ready;
    }

    /**
     * The transport was asked to close while this stands in: a wait for room fails now, with what
     * asyncio's {@code drain()} raises on a closing transport, as the next block's wait would.
     */
    void transportClosing() {
        if (writeReady != null) {
            writeReady.setException(closedByPeer());
            writeReady = null;
        }
    }

    /**
     * The wait for room: its failure reaches the sendfile through {@link #drain}, or goes with a sendfile
     * already over, so it is never "Future exception was never retrieved" (a close before the next block's
     * drain reported it: TlsContract.closingATlsTransportWhileItsSendfileWaitsForRoomFailsIt, a CI run).
     */
    private LoopFuture<Void> waitForRoom() {
        DefaultLoopFuture<Void> wait = new DefaultLoopFuture<>(loop);
        wait.markRetrieved();
        return wait;
    }

    // asyncio's words in _SendfileFallbackProtocol.drain() (ConnectionError)
    static SocketException closedByPeer() {
        return new SocketException("Connection closed by peer");
    }

    @Override
    public void connectionMade(Transport made) {
        throw new IllegalStateException("Invalid state: connection should have been established already.");
    }

    @Override
    public void connectionLost(Exception exc) {
        if (writeReady != null) {
            // Never happens if the peer disconnects after the whole file was sent: a disconnection
            // is always an error from the caller's point of view.
            writeReady.setException(exc == null ? new SocketException("Connection is closed by peer") : exc);
        }
        original.connectionLost(exc);
    }

    @Override
    public void pauseWriting() {
        if (writeReady == null) {
            writeReady = waitForRoom();
        }
    }

    @Override
    public void resumeWriting() {
        if (writeReady != null) {
            writeReady.setResult(null);
            writeReady = null;
        }
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        throw new IllegalStateException("Invalid state: reading should be paused");
    }

    @Override
    public boolean eofReceived() {
        throw new IllegalStateException("Invalid state: reading should be paused");
    }

    @Override
    public String toString() {
        return "<SendfileFallbackProtocol " + (writeReady == null ? "writing" : "waiting for room") + ", standing in for "
                + original + ">";
    }

    /** Gives the transport its protocol back, and its reading and writing state. */
    void restore() {
        transport.setProtocol(original);
        if (shouldResumeReading) {
            transport.resumeReading();
        }
        if (writeReady != null) {
            writeReady.cancel(false); // nobody waits for it any more
        }
        if (shouldResumeWriting) {
            original.resumeWriting();
        }
    }
}
