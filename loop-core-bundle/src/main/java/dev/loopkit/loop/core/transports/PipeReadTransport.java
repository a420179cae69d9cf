package dev.loopkit.loop.core.transports;

import dev.loopkit.api.BufferedProtocol;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Transport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * asyncio's {@code _UnixReadPipeTransport}: the read end of a pipe (a child's stdout or stderr, or
 * {@code connect_read_pipe}'s), watched through the loop's raw-descriptor poller and read into the
 * loop's shared buffer. It is a {@link Transport} so that a {@link Protocol}'s {@code connectionMade}
 * can take it; its write methods throw, as asyncio's read pipe transport has none.
 */
public final class PipeReadTransport extends AbstractTransport implements Transport {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final Posix posix;
    private final int fd;
    private final Runnable onReadable = this::readReady;
    private boolean paused;
    private boolean open = true;

    public PipeReadTransport(BaseEventLoop loop, Posix posix, int fd, Protocol protocol) throws PosixException {
        super(loop, protocol, null);
        this.posix = posix;
        this.fd = fd;
        posix.setNonBlocking(fd, true);
        putExtra("pipe", fd);
        usesSocket(fd);
    }

    /** Starts reading; loop thread. */
    public void start() {
        assert loop.inLoopThreadOrIdle() : "loop thread only";
        markConnected();
        if (!closing && !paused) {
            loop.watchReadable(fd, onReadable);
        }
    }

    /** asyncio's {@code connect_read_pipe}: the protocol's {@code connectionMade}, then reading, then {@code whenMade}. */
    public void startConnected(Runnable whenMade) {
        scheduleConnectionMade(() -> ((Protocol) protocol).connectionMade(this), () -> {
            try {
                if (!closing && !paused) {
                    loop.watchReadable(fd, onReadable);
                }
            } catch (IllegalArgumentException cannotWatch) {
                // A device epoll refuses (/dev/null: EPERM). asyncio logs that and leaves a transport that
                // never reads; here the protocol hears it as the connection's end, and nobody waits for
                // data that cannot come. Before, the refusal ended this callback: the connect never completed.
                fatalError(cannotWatch, "Fatal error: the loop cannot watch the pipe");
            }
            whenMade.run();
        });
    }

    /**
     * asyncio's {@code _UnixReadPipeTransport._fatal_error}: unlike a socket's, a read pipe's I/O error goes
     * to the exception handler, all but {@code EIO} (what a pty's reader gets once the other side closed,
     * its end of the stream), which is said in debug mode only.
     */
    private void readFailed(PosixException error) {
        assert loop.inLoopThreadOrIdle() : "loop thread only";
        String message = "Fatal read error on pipe transport";
        if (error.errnoName().equals("EIO")) {
            logFatalError(loop, error, message, this);
        } else {
            reportToTheHandler(loop, error, message, this, protocol);
        }
        forceClose(error);
    }

    private void readReady() {
        if (connLost > 0) {
            return;
        }
        ByteBuffer data = loop.readBuffer();
        int read;
        try {
            read = posix.read(fd, data);
        } catch (PosixException e) {
            readFailed(e);
            return;
        }
        if (read < 0) {
            return; // would block: a spurious readiness
        }
        if (read == 0) {
            if (loop.getDebug()) {
                LOG.log(Level.INFO, "{0} was closed by peer", this);
            }
            closing = true;
            loop.unwatchReadable(fd);
            connLost++;
            // Each in a callback of its own, as asyncio: a protocol whose eofReceived throws is reported by
            // the loop, and still hears connectionLost (which closes the descriptor).
            Protocol receiver = (Protocol) protocol;
            loop.callSoon(receiver::eofReceived);
            loop.callSoon(() -> callConnectionLost(null));
            return;
        }
        data.flip();
        // Outside any try, as asyncio's read pipe: what the protocol throws is the loop's to report, and
        // the pipe reads on (a socket transport's is fatal, as asyncio's is).
        if (protocol instanceof BufferedProtocol buffered) {
            feed(buffered, data);
        } else {
            ((Protocol) protocol).dataReceived(data);
        }
    }

    /**
     * asyncio's {@code _feed_data_to_buffered_proto}, as its proactor's read pipe feeds a buffered
     * protocol: what was read, copied into the protocol's buffers. A buffered protocol's
     * {@code dataReceived} is the interface's empty default, which lost the bytes without a word (an
     * outside review).
     */
    private static void feed(BufferedProtocol target, ByteBuffer data) {
        while (data.hasRemaining()) {
            ByteBuffer into = bufferToReadInto(target, data.remaining());
            int count = Math.min(into.remaining(), data.remaining());
            int limit = data.limit();
            data.limit(data.position() + count);
            into.put(data);
            data.limit(limit);
            target.bufferUpdated(count);
        }
    }

    @Override
    public boolean isReading() {
        return !paused && !closing;
    }

    @Override
    public void pauseReading() {
        if (closing || paused) {
            return;
        }
        paused = true;
        loop.unwatchReadable(fd);
    }

    @Override
    public void resumeReading() {
        if (closing || !paused) {
            return;
        }
        paused = false;
        loop.watchReadable(fd, onReadable);
    }

    @Override
    public void close() {
        if (!closing) {
            forceClose(null);
        }
    }

    /** @throws UnsupportedOperationException always: a read pipe does not write */
    @Override
    public void write(ByteBuffer data) {
        throw cannotWrite("write");
    }

    /** @throws UnsupportedOperationException always: a read pipe does not write */
    @Override
    public void writeEof() {
        throw cannotWrite("writeEof");
    }

    @Override
    public boolean canWriteEof() {
        return false;
    }

    private static UnsupportedOperationException cannotWrite(String operation) {
        return new UnsupportedOperationException(operation + "() on the read end of a pipe: asyncio's read pipe"
                + " transport has no " + operation);
    }

    @Override
    protected int bufferSize() {
        return 0;
    }

    @Override
    protected void dropBuffer() {
        // a read pipe buffers nothing
    }

    @Override
    protected void stopIo() {
        loop.unwatchReadable(fd);
    }

    @Override
    protected void closeChannel() throws IOException {
        if (open) {
            open = false;
            posix.close(fd);
        }
    }

    @Override
    protected String describeChannel() {
        return "fd=" + fd;
    }
}
