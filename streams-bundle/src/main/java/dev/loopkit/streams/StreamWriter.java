package dev.loopkit.streams;

import dev.loopkit.api.ConnectionOptions;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Transport;
import dev.loopkit.api.WriteTransport;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;

/**
 * asyncio's {@code StreamWriter}: writes go to the transport at once (buffered there if the
 * socket is full); {@link #drain()} is the flow control, completing when the buffer is below its
 * high-water mark. Loop thread only.
 */
public final class StreamWriter {

    private WriteTransport transport;
    private final WriteFlow protocol;
    private final StreamReader reader;
    private final EventLoop loop;

    /** {@code reader} is the reader of the same connection, or {@code null} (a child's stdin). */
    StreamWriter(WriteTransport transport, WriteFlow protocol, StreamReader reader, EventLoop loop) {
        this.transport = transport;
        this.protocol = protocol;
        this.reader = reader;
        this.loop = loop;
    }

    public WriteTransport transport() {
        return transport;
    }

    public void write(byte[] data) {
        transport.write(data);
    }

    public void write(ByteBuffer data) {
        transport.write(data);
    }

    public void writelines(Iterable<ByteBuffer> data) {
        transport.writelines(data);
    }

    public void writeEof() {
        transport.writeEof();
    }

    public boolean canWriteEof() {
        return transport.canWriteEof();
    }

    public void close() {
        transport.close();
    }

    public boolean isClosing() {
        return transport.isClosing();
    }

    /** asyncio {@code wait_closed()}: completes once the connection is lost. */
    public CompletionStage<Void> waitClosed() {
        return protocol.closed();
    }

    public Object getExtraInfo(String name) {
        return transport.getExtraInfo(name);
    }

    /**
     * asyncio {@code drain()}: completes at once unless the transport's buffer is over its
     * high-water mark, then when it drained; fails if the reader saw an error or the connection is
     * lost. On a closing transport it first lets one iteration run, as asyncio's {@code sleep(0)}
     * there, so that the {@code connectionLost} that {@code close()} scheduled comes first and the
     * drain fails with "Connection lost" instead of passing as if the bytes had gone.
     */
    public CompletionStage<Void> drain() {
        Throwable readError = reader == null ? null : reader.exception();
        if (readError != null) {
            LoopFuture<Void> failed = loop.createFuture();
            failed.setException(readError);
            return failed;
        }
        if (transport.isClosing()) {
            LoopFuture<Void> yielded = loop.createFuture();
            loop.callSoon(() -> yielded.setResult(null));
            return yielded.thenCompose(ignored -> protocol.drainHelper());
        }
        return protocol.drainHelper();
    }

    /**
     * asyncio {@code start_tls(sslcontext, server_hostname=…, ssl_handshake_timeout=…,
     * ssl_shutdown_timeout=…)}: drains, then upgrades the connection to TLS (the client side for
     * {@code open_connection}'s writer, the server side for {@code start_server}'s); from then on this
     * writer and its reader carry plain bytes through TLS. {@code options.ssl()} is not used.
     *
     * @throws IllegalStateException for a writer that is not a socket connection's (a child's stdin)
     */
    public CompletionStage<Void> startTls(SSLContext sslContext, ConnectionOptions options) {
        if (!(protocol instanceof StreamReaderProtocol streamProtocol) || !(transport instanceof Transport)) {
            throw new IllegalStateException("start_tls() needs the writer of a socket connection, not " + this);
        }
        LoopFuture<Void> upgraded = loop.createFuture();
        drain().whenComplete((drained, drainFailed) -> {
            if (upgraded.isDone()) {
                return; // given up while draining: asyncio's start_tls ends there, the connection left as it is
            }
            if (drainFailed != null) {
                IfStillWaiting.setException(upgraded, unwrap(drainFailed));
                return;
            }
            CompletionStage<Transport> tls;
            try {
                tls = loop.startTls((Transport) transport, streamProtocol, sslContext, streamProtocol.isServerSide(), options);
            } catch (RuntimeException refused) {
                IfStillWaiting.setException(upgraded, refused);
                return;
            }
            // asyncio's StreamWriter.start_tls awaits loop.start_tls, so a cancel (or a timeout) reaches it, and it
            // closes the transport. Not passed on, the handshake went on under this writer's plain transport, and
            // the next write went out in clear in the middle of the TLS stream (an outside review).
            upgraded.whenComplete((ok, givenUp) -> {
                if (givenUp != null) {
                    tls.toCompletableFuture().cancel(false);
                }
            });
            tls.whenComplete((secure, failed) -> {
                if (failed != null) {
                    IfStillWaiting.setException(upgraded, unwrap(failed));
                    return;
                }
                transport = secure; // before anything else: from here on no write of this writer's goes out in clear
                streamProtocol.replaceTransport(secure);
                if (!IfStillWaiting.setResult(upgraded, null)) {
                    secure.close(); // given up as the handshake ended: closed, as loop.start_tls closes it
                }
            });
        });
        return upgraded;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException wrapped && wrapped.getCause() != null ? wrapped.getCause() : error;
    }

    @Override
    public String toString() {
        return "<StreamWriter transport=" + transport + " reader=" + reader + ">";
    }
}
