package dev.loopkit.loop.core.transports;

import dev.loopkit.api.BaseProtocol;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Transport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * asyncio's {@code _UnixWritePipeTransport}: the write end of a pipe (a child's stdin). Writes go
 * to the pipe at once; the rest is buffered and drained when the pipe is writable. The write end
 * is also watched for readability, which for a pipe means the reader went away: the transport then
 * closes (with a broken pipe if data was still buffered). It is a {@link Transport} so that a
 * {@link Protocol}'s {@code connectionMade} can take it ({@code connect_write_pipe}); its read methods
 * throw, as asyncio's write pipe transport has none.
 */
public final class PipeWriteTransport extends AbstractTransport implements Transport {

    private final Posix posix;
    private final int fd;
    private final WriteBuffer buffer = new WriteBuffer(loop);
    private final Runnable onWritable = this::writeReady;
    private final Runnable onPeerGone = this::peerGone;
    private boolean open = true;

    public PipeWriteTransport(BaseEventLoop loop, Posix posix, int fd, BaseProtocol protocol) throws PosixException {
        super(loop, protocol, null);
        this.posix = posix;
        this.fd = fd;
        posix.setNonBlocking(fd, true);
        putExtra("pipe", fd);
        usesSocket(fd);
    }

    /** Starts watching for the reader's end; loop thread. */
    public void start() {
        assert loop.inLoopThreadOrIdle() : "loop thread only";
        markConnected();
        loop.watchReadable(fd, onPeerGone);
    }

    /**
     * asyncio's {@code connect_write_pipe}: the protocol's {@code connectionMade}, then watching for the
     * reader's end, then {@code whenMade}. asyncio watches only a FIFO or a socket ({@code watchReaderEnd}):
     * a character device may be readable for other reasons (a terminal's input), or not pollable at all
     * (/dev/null, which epoll refuses: the refusal ended this callback, and the connect never completed).
     */
    public void startConnected(boolean watchReaderEnd, Runnable whenMade) {
        scheduleConnectionMade(() -> ((Protocol) protocol).connectionMade(this), () -> {
            if (!closing && watchReaderEnd) {
                loop.watchReadable(fd, onPeerGone);
            }
            whenMade.run();
        });
    }

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (!data.hasRemaining()) {
            return;
        }
        if (connLost > 0 || closing) {
            countLostWrite("pipe closed by peer or os.write(pipe, data) raised exception."); // asyncio's words for pipes
            return;
        }
        if (buffer.isEmpty()) {
            int written;
            try {
                do { // a heap buffer is offered a quarter MiB a call: on while the pipe takes it
                    written = posix.write(fd, data);
                } while (written > 0 && data.hasRemaining() && !data.isDirect());
            } catch (PosixException e) {
                fatalError(e, "Fatal write error on pipe transport");
                return;
            }
            if (written >= 0 && !data.hasRemaining()) {
                return;
            }
            loop.watchWritable(fd, onWritable);
        }
        buffer.add(data);
        flowControl.maybePause(protocol);
    }

    private void writeReady() {
        ByteBuffer first = buffer.first();
        if (first == null) {
            return;
        }
        int written;
        try {
            written = posix.write(fd, first);
        } catch (PosixException e) {
            buffer.clear();
            loop.unwatchWritable(fd);
            fatalError(e, "Fatal write error on pipe transport");
            return;
        }
        if (written > 0) {
            buffer.consumed(written);
        }
        flowControl.maybeResume(protocol);
        if (!buffer.isEmpty()) {
            return;
        }
        loop.unwatchWritable(fd);
        if (closing) {
            loop.unwatchReadable(fd);
            drainedWhileClosing();
        }
    }

    // asyncio's _read_ready on a write pipe: the read end closed. Unless nothing is to be seen there now:
    // then the readiness was meant for the descriptor that had this number before (one on its way from
    // the poller's thread, or of the same wait as the callback that closed it), and taken for this pipe's
    // end it closed a child's stdin under a communicate() that dropped its input (StaleReadinessOnAWritePipeTest).
    private void peerGone() {
        try {
            if (posix.awaitReadable(new int[] {fd}, 0) < 0) {
                return;
            }
        } catch (PosixException e) {
            // the descriptor is unusable: gone as far as this transport is concerned
        }
        if (buffer.isEmpty()) {
            closeSoon(null);
        } else {
            fatalError(new IOException("Broken pipe"), "Fatal write error on pipe transport");
        }
    }

    @Override
    public void writeEof() {
        close();
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    @Override
    public boolean isReading() {
        return false;
    }

    /** @throws UnsupportedOperationException always: a write pipe does not read */
    @Override
    public void pauseReading() {
        throw cannotRead("pauseReading");
    }

    /** @throws UnsupportedOperationException always: a write pipe does not read */
    @Override
    public void resumeReading() {
        throw cannotRead("resumeReading");
    }

    private static UnsupportedOperationException cannotRead(String operation) {
        return new UnsupportedOperationException(operation + "() on the write end of a pipe: asyncio's write pipe"
                + " transport has no " + operation);
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (buffer.isEmpty()) {
            closeSoon(null);
        }
    }

    private void closeSoon(Exception exc) {
        closing = true;
        if (connLost > 0) {
            return;
        }
        loop.unwatchReadable(fd);
        connLost++;
        loop.callSoon(() -> callConnectionLost(exc));
    }

    @Override
    protected int bufferSize() {
        return buffer.size();
    }

    @Override
    protected void dropBuffer() {
        if (!buffer.isEmpty()) {
            buffer.clear();
            loop.unwatchWritable(fd);
        }
    }

    @Override
    protected void stopIo() {
        loop.unwatchReadable(fd);
        loop.unwatchWritable(fd);
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
        return "fd=" + fd + " buffered=" + buffer.size();
    }
}
