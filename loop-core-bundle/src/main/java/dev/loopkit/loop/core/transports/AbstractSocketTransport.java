package dev.loopkit.loop.core.transports;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.ZeroCopySocket;
import dev.loopkit.loop.core.ZeroCopyTransport;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.util.Objects;

/**
 * What asyncio's two socket transports have in common here ({@code _SelectorSocketTransport} and
 * {@code _ProactorSocketTransport}): the write buffer, the paused and write-EOF states,
 * {@code write_eof} with its half-close, the protocol's {@code eof_received}, and the checks every
 * {@code write} starts with. The subclass moves the bytes, its own way.
 */
public abstract class AbstractSocketTransport extends AbstractTransport implements ZeroCopyTransport {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    protected final WriteBuffer buffer = new WriteBuffer(loop);
    /** {@code pauseReading()} was called. */
    protected boolean paused;
    /** {@code writeEof()} was called. */
    protected boolean eof;
    /** asyncio's {@code _empty_waiter}: set while {@code sendfile} waits for, then owns, the socket. */
    private LoopFuture<Void> emptyWaiter;

    protected AbstractSocketTransport(BaseEventLoop loop, Protocol protocol, AbstractServer server) {
        super(loop, protocol, server);
    }

    /**
     * asyncio's extras of a socket transport: {@code socket} (a {@link ChannelTransportSocket}, never
     * the channel itself, which user code could close or reconfigure under the transport),
     * {@code sockname} and {@code peername}.
     */
    protected final void putSocketExtras(NetworkChannel socket) {
        ChannelTransportSocket transportSocket = new ChannelTransportSocket(socket);
        putExtra("socket", transportSocket);
        try {
            putExtra("sockname", transportSocket.localAddress());
            putExtra("peername", transportSocket.remoteAddress());
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "addresses of " + socket, e);
        }
    }

    /** Shuts the socket's sending side: the peer reads EOF. */
    protected abstract void shutdownSocketOutput() throws IOException;

    /**
     * The checks asyncio's {@code write()} starts with: whether {@code data} is to be sent; not when it
     * is empty, nor when the connection is lost (the write is counted).
     *
     * @throws IllegalStateException after {@code writeEof()}
     */
    protected final boolean acceptsWrite(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        refuseWritesAfterEofOrDuringSendfile("write");
        if (!data.hasRemaining()) {
            return false;
        }
        if (connLost > 0) {
            countLostWrite();
            return false;
        }
        return true;
    }

    /**
     * The refusals asyncio's {@code write()} and {@code writelines()} start with, in the words of
     * {@code method}.
     *
     * @throws IllegalStateException after {@code writeEof()}, or while a sendfile runs
     */
    protected final void refuseWritesAfterEofOrDuringSendfile(String method) {
        if (eof) {
            throw new IllegalStateException("Cannot call " + method + "() after write_eof()");
        }
        if (emptyWaiter != null) {
            throw new IllegalStateException("unable to " + method + "; sendfile is in progress");
        }
    }

    /**
     * The peer's EOF: asks the protocol's {@code eofReceived}, then runs {@code keepingOpen} when it
     * keeps the connection open for writing, and closes otherwise; a protocol that throws is fatal.
     */
    protected final void eofReceived(Runnable keepingOpen) {
        if (loop.getDebug()) {
            LOG.log(Level.DEBUG, "{0} received EOF", this);
        }
        boolean keepOpen;
        try {
            keepOpen = ((Protocol) protocol).eofReceived();
        } catch (RuntimeException | Error e) {
            Scheduler.rethrowIfFatal(e);
            fatalError(e, "Fatal error: protocol.eof_received() call failed.");
            return;
        }
        if (keepOpen) {
            keepingOpen.run();
        } else {
            close();
        }
    }

    // ---- sendfile ------------------------------------------------------------------------------------------

    /** {@code null}: the bytes go through {@link #write} (asyncio's fallback), unless the subclass sends itself. */
    @Override
    public ZeroCopySocket zeroCopySocket() {
        return null;
    }

    @Override
    public LoopFuture<Void> makeEmptyWaiter() {
        if (emptyWaiter != null) {
            throw new IllegalStateException("Empty waiter is already set");
        }
        emptyWaiter = loop.createFuture();
        if (buffer.isEmpty()) {
            emptyWaiter.setResult(null);
        }
        return emptyWaiter;
    }

    @Override
    public void resetEmptyWaiter() {
        emptyWaiter = null;
    }

    /** The subclass drained its write buffer: a sendfile waiting for that may go on. */
    protected final void bufferDrained() {
        if (emptyWaiter != null && !emptyWaiter.isDone()) {
            emptyWaiter.setResult(null);
        }
    }

    // asyncio fails the empty waiter when the connection is lost before the buffer drained.
    @Override
    public void forceClose(Exception exc) {
        super.forceClose(exc);
        if (emptyWaiter != null && !emptyWaiter.isDone()) {
            emptyWaiter.setException(new SocketException("Connection is closed by peer"));
        }
    }

    @Override
    public boolean isReading() {
        return !paused && !closing;
    }

    @Override
    public void writeEof() {
        if (closing || eof) {
            return;
        }
        eof = true;
        if (buffer.isEmpty()) {
            shutdownOutput();
        }
    }

    /** The half-close, once the buffer has drained after {@code writeEof()}. */
    protected final void shutdownOutput() {
        try {
            shutdownSocketOutput();
        } catch (IOException e) {
            fatalError(e, "Fatal error on socket shutdown");
        }
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    @Override
    protected int bufferSize() {
        return buffer.size();
    }

    @Override
    protected String describeChannel() {
        return "peer=" + getExtraInfo("peername") + " buffered=" + buffer.size();
    }
}
