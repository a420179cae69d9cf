package dev.loopkit.loop.core.tls;

import dev.loopkit.api.BaseProtocol;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.WriteBufferLimits;
import dev.loopkit.loop.core.SendfileTransport;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * asyncio's {@code _SSLProtocolTransport}: what the application protocol of a TLS connection writes
 * to and closes. Every call goes to its {@link SslProtocol}; the write buffer is the TLS layer's (plain
 * bytes waiting for the handshake, records the socket has not taken), with asyncio's 512 KiB
 * high-water mark. {@code sendfile} takes asyncio's fallback through it (the bytes must be encrypted).
 * Loop thread only.
 */
public final class SslTransport implements SendfileTransport {

    private final SslProtocol ssl;
    private boolean closed;

    SslTransport(SslProtocol ssl) {
        this.ssl = ssl;
    }

    void markClosed() {
        closed = true;
    }

    /**
     * {@code ssl_object} (the {@link javax.net.ssl.SSLEngine}), {@code peercert}, {@code cipher},
     * {@code compression}, {@code sslcontext}, then the socket transport's keys.
     */
    @Override
    public Object getExtraInfo(String name, Object defaultValue) {
        return ssl.extraInfo(name, defaultValue);
    }

    @Override
    public boolean isClosing() {
        return closed;
    }

    /** asyncio: flushes, sends close_notify, waits for the peer's (up to {@code ssl_shutdown_timeout}), then closes. */
    @Override
    public void close() {
        closed = true;
        SendfileTransport.closing(getProtocol());
        ssl.startShutdown();
    }

    @Override
    public void abort() {
        closed = true;
        ssl.abort();
    }

    @Override
    public void setProtocol(BaseProtocol protocol) {
        Objects.requireNonNull(protocol, "protocol");
        if (!(protocol instanceof Protocol streaming)) {
            throw new IllegalArgumentException("a TLS transport needs a Protocol, not " + protocol.getClass().getName());
        }
        ssl.setAppProtocol(streaming);
    }

    @Override
    public BaseProtocol getProtocol() {
        return ssl.appProtocol();
    }

    @Override
    public boolean isReading() {
        return ssl.isReading();
    }

    @Override
    public void pauseReading() {
        ssl.pauseReading();
    }

    @Override
    public void resumeReading() {
        ssl.resumeReading();
    }

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (data.hasRemaining()) {
            ssl.writeAppData(data);
        }
    }

    /**
     * Not supported, as in asyncio (TLS 1.3 has half-close, but asyncio's {@code write_eof} raises
     * {@code NotImplementedError}).
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void writeEof() {
        throw new UnsupportedOperationException("write_eof() is not supported on a TLS transport (asyncio raises"
                + " NotImplementedError)");
    }

    @Override
    public boolean canWriteEof() {
        return false;
    }

    @Override
    public int getWriteBufferSize() {
        return ssl.writeBufferSize();
    }

    @Override
    public WriteBufferLimits getWriteBufferLimits() {
        return ssl.appWriting().limits();
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        ssl.appWriting().setLimits(high, low, ssl.flowControlled());
        ssl.appWriting().maybeResume(ssl.flowControlled());
    }

    @Override
    public boolean isWritingPaused() {
        return ssl.appWriting().isPaused();
    }

    @Override
    public String toString() {
        return "<SslTransport" + (closed ? " closing" : "") + " " + ssl + ">";
    }
}
