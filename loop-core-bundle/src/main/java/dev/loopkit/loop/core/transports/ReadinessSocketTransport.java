package dev.loopkit.loop.core.transports;

import dev.loopkit.api.BufferedProtocol;
import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.HeapPieces;
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.ZeroCopySocket.FileSending;
import dev.loopkit.loop.core.ZeroCopySocket;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;

/**
 * asyncio's {@code _SelectorSocketTransport} on any readiness-based loop: a TCP or Unix-domain
 * connection whose channel is read and written when the loop says it is ready. Reads go into the
 * loop's shared direct buffer (or straight into a {@link BufferedProtocol}'s own buffer); writes go
 * to the socket at once, and only what it does not take is copied to the write buffer, drained on
 * writability with gathering writes. The loop supplies how readiness is watched (a selector key, an
 * epoll registration); the channel is non-blocking: a read or write that would block returns 0.
 *
 * @param <C> the channel: a JDK {@code SocketChannel} or a loop's own socket
 */
public abstract class ReadinessSocketTransport<C extends ByteChannel & GatheringByteChannel> extends AbstractSocketTransport {

    protected final C channel;
    // Made once: re-registering after pauseReading() or a full buffer allocates no new lambda.
    private final Runnable onReadable = this::readReady;
    private final Runnable onWritable = this::writeReady;
    /**
     * What a zero-copy sendfile waits for writability with, while the channel's writer is its own:
     * until the sendfile stops waiting, or the transport registers its own writer (a write made once
     * the sendfile was cancelled, before the sendfile's clean-up ran), which the sendfile must then
     * leave alone.
     */
    private Runnable sendfileWaiting;

    protected ReadinessSocketTransport(BaseEventLoop loop, C channel, Protocol protocol, AbstractServer server) {
        super(loop, protocol, server);
        this.channel = channel;
        usesSocket(channel);
    }

    /** Calls {@code onReadable} on the loop thread whenever the channel is readable, until {@link #unwatchReadable()}. */
    protected abstract void watchReadable(Runnable onReadable);

    protected abstract void unwatchReadable();

    /** Calls {@code onWritable} on the loop thread whenever the channel is writable, until {@link #unwatchWritable()}. */
    protected abstract void watchWritable(Runnable onWritable);

    protected abstract void unwatchWritable();

    /** Tells the protocol, then starts reading; {@code whenMade} runs once the protocol knows. */
    public final void start(Runnable whenMade) {
        Protocol connected = (Protocol) protocol;
        scheduleConnectionMade(() -> connected.connectionMade(this), () -> {
            if (!closing && !paused) {
                watchReadable(onReadable);
            }
            whenMade.run();
        });
    }

    /** asyncio's {@code _SelectorSocketTransport.writelines}: its refusals in its own words, then the writes. */
    @Override
    public void writelines(Iterable<ByteBuffer> data) {
        refuseWritesAfterEofOrDuringSendfile("writelines");
        super.writelines(data);
    }

    // ---- reading ---------------------------------------------------------------------------------------

    private void readReady() {
        if (connLost > 0) {
            return;
        }
        if (protocol instanceof BufferedProtocol buffered) {
            readIntoProtocolBuffer(buffered);
        } else {
            readIntoLoopBuffer((Protocol) protocol);
        }
    }

    private void readIntoLoopBuffer(Protocol target) {
        ByteBuffer data = loop.readBuffer();
        if (readInto(data) <= 0) {
            return;
        }
        data.flip();
        try {
            target.dataReceived(data);
        } catch (RuntimeException | Error e) {
            Scheduler.rethrowIfFatal(e);
            fatalError(e, "Fatal error: protocol.data_received() call failed.");
        }
    }

    private void readIntoProtocolBuffer(BufferedProtocol target) {
        ByteBuffer into;
        try {
            into = bufferToReadInto(target, -1);
        } catch (RuntimeException | Error e) {
            Scheduler.rethrowIfFatal(e);
            fatalError(e, "Fatal error: protocol.get_buffer() call failed.");
            return;
        }
        int read = readInto(into);
        if (read <= 0) {
            return;
        }
        try {
            target.bufferUpdated(read);
        } catch (RuntimeException | Error e) {
            Scheduler.rethrowIfFatal(e);
            fatalError(e, "Fatal error: protocol.buffer_updated() call failed.");
        }
    }

    /** Reads what is there: the count (0: nothing yet), or -1 when the read failed or met the end (both handled here). */
    private int readInto(ByteBuffer into) {
        int read;
        try {
            read = HeapPieces.read(channel, into); // a BufferedProtocol's buffer may be a large heap one
        } catch (IOException e) {
            fatalError(Networks.resetInTheCLibrarysWords(e), "Fatal read error on socket transport");
            return -1;
        }
        if (read < 0) {
            readEof();
        }
        return read;
    }

    // asyncio's _read_ready__on_eof: the protocol may keep the connection open for writing.
    private void readEof() {
        eofReceived(this::unwatchReadable);
    }

    @Override
    public void pauseReading() {
        if (closing || paused) {
            return;
        }
        paused = true;
        unwatchReadable();
    }

    @Override
    public void resumeReading() {
        if (closing || !paused) {
            return;
        }
        paused = false;
        watchReadable(onReadable);
    }

    // ---- writing ---------------------------------------------------------------------------------------

    @Override
    public void write(ByteBuffer data) {
        if (!acceptsWrite(data)) {
            return;
        }
        if (buffer.isEmpty()) {
            try {
                HeapPieces.write(channel, data);
            } catch (IOException e) {
                fatalError(Networks.resetInTheCLibrarysWords(e), "Fatal write error on socket transport");
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
            sendfileWaiting = null; // the writer is the transport's now
            watchWritable(onWritable);
        }
        buffer.add(data);
        flowControl.maybePause(protocol);
    }

    private void writeReady() {
        if (connLost > 0) {
            return;
        }
        try {
            buffer.writeTo(channel);
        } catch (IOException e) {
            unwatchWritable();
            buffer.clear();
            fatalError(Networks.resetInTheCLibrarysWords(e), "Fatal write error on socket transport");
            return;
        }
        flowControl.maybeResume(protocol);
        if (!buffer.isEmpty()) {
            return;
        }
        unwatchWritable();
        bufferDrained();
        if (closing) {
            drainedWhileClosing();
        } else if (eof) {
            shutdownOutput();
        }
    }

    // ---- zero-copy sendfile -----------------------------------------------------------------------------

    /**
     * Starts sending {@code file} straight to the channel, for zero-copy {@code sendfile}.
     *
     * @throws IOException when it cannot be done for this file: {@code sendfile} takes asyncio's fallback
     */
    protected abstract FileSending sendFrom(FileChannel file) throws IOException;

    /** Nothing of this transport transforms the bytes: zero-copy sendfile writes to its channel itself. */
    @Override
    public final ZeroCopySocket zeroCopySocket() {
        return zeroCopy;
    }

    // A sendfile owns the channel's writability while it runs (the buffer is empty and writes are refused).
    private final ZeroCopySocket zeroCopy = new ZeroCopySocket() {
        @Override
        public FileSending sendFrom(FileChannel file) throws IOException {
            return ReadinessSocketTransport.this.sendFrom(file);
        }

        @Override
        public void whenWritable(Runnable onWritable) {
            sendfileWaiting = onWritable;
            watchWritable(onWritable);
        }

        @Override
        public void stopWaiting() {
            if (sendfileWaiting != null) {
                sendfileWaiting = null;
                unwatchWritable();
            }
        }
    };

    // ---- closing ---------------------------------------------------------------------------------------

    @Override
    protected void stopReading() {
        unwatchReadable();
    }

    @Override
    protected void dropBuffer() {
        if (!buffer.isEmpty()) {
            buffer.clear();
            unwatchWritable();
        }
    }

    @Override
    protected void stopIo() {
        unwatchReadable();
        unwatchWritable();
    }

    /**
     * Closes the channel. A sendfile waiting for writability would wait forever (a closed socket is
     * no longer watched): it is woken to find the channel closed, fails, and closes its file's
     * descriptor; nothing touches the socket's number after (another socket may have it by then).
     */
    @Override
    protected void closeChannel() throws IOException {
        Runnable waiting = sendfileWaiting;
        sendfileWaiting = null;
        try {
            channel.close();
        } finally {
            if (waiting != null) {
                waiting.run();
            }
        }
    }
}
