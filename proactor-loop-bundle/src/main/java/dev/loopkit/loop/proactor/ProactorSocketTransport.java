package dev.loopkit.loop.proactor;

import dev.loopkit.api.BufferedProtocol;
import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.SendfileTransport;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.loop.core.transports.AbstractServer;
import dev.loopkit.loop.core.transports.AbstractSocketTransport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * asyncio's {@code _ProactorSocketTransport}: a TCP connection on an
 * {@link AsynchronousSocketChannel}. One read is in flight at a time, into the transport's own
 * buffer (reads of many connections are pending at once, so they cannot share the loop's), sized by
 * {@link ReadSizeGuess} (small while the connection is idle, up to 64 KiB for a stream); its bytes go
 * to the protocol when the completion reaches the loop, then the next read starts.
 * Writes are copied into the write buffer (the caller may reuse its buffer at once, and NIO.2 writes
 * later) and go out as one gathering write at a time; bytes in flight count in the buffer size, for
 * flow control.
 *
 * <p>A started NIO.2 operation cannot be withdrawn, so {@code pauseReading}, {@code close} and
 * {@code abort} leave the pending read alone, as asyncio's proactor does on pause: what it reads
 * while paused is held and delivered by {@code resumeReading}; after {@code close} its outcome is
 * dropped, and closing the channel ends it.
 */
final class ProactorSocketTransport extends AbstractSocketTransport {

    /** Chunks of the write buffer sent by one gathering write. */
    private static final int GATHER_AT_MOST = 64;
    /** {@link #held}: no read outcome waits for {@code resumeReading}. */
    private static final int NOTHING_HELD = Integer.MIN_VALUE;
    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final AsynchronousSocketChannel socket;
    /*
     * On the heap, not direct: one per connection, and a direct buffer is only freed when the GC
     * gets to it, so connections that come and go would churn native memory. NIO.2 reads through the
     * completion thread's cached direct buffer and copies just the bytes read. Replaced when the
     * guess changes; a pending read holds it, so an idle connection costs only the guess's size.
     */
    private final ReadSizeGuess readSize = new ReadSizeGuess();
    private ByteBuffer readBuffer = ByteBuffer.allocate(readSize.size());
    private final ByteBuffer[] batch = new ByteBuffer[GATHER_AT_MOST];
    private final Reads reads;
    private final Writes writes;
    private final Runnable deliverHeld = this::deliverHeld;
    private boolean reading;
    /**
     * While the protocol has the read buffer (in {@code dataReceived} or {@code bufferUpdated}): a
     * {@code resumeReading} it calls then must not start the next read into that buffer, which cleared
     * the bytes it was being given (an outside review); the read starts once the protocol returns.
     */
    private boolean delivering;
    private boolean writing;
    private int batchSize;
    /** The peer's EOF was read: no more reads. */
    private boolean readEof;
    /** Bytes read (or -1 for EOF) while paused, waiting in {@link #readBuffer} for resumeReading. */
    private int held = NOTHING_HELD;

    ProactorSocketTransport(BaseEventLoop loop, AsynchronousSocketChannel socket, Protocol protocol, AbstractServer server) {
        super(loop, protocol, server);
        this.socket = socket;
        this.reads = new Reads(loop);
        this.writes = new Writes(loop);
        putSocketExtras(socket);
    }

    /** Tells the protocol, then starts reading; {@code whenMade} runs once the protocol knows. */
    void start(Runnable whenMade) {
        Protocol connected = (Protocol) protocol;
        scheduleConnectionMade(() -> connected.connectionMade(this), () -> {
            startReading();
            whenMade.run();
        });
    }

    /** The capacity of the read buffer this transport holds now (tests; loop thread). */
    int readBufferCapacity() {
        return readBuffer.capacity();
    }

    // ---- reading ---------------------------------------------------------------------------------------

    private void startReading() {
        if (reading || delivering || paused || closing || readEof || held != NOTHING_HELD) {
            return;
        }
        reading = true;
        if (readBuffer.capacity() != readSize.size()) {
            readBuffer = ByteBuffer.allocate(readSize.size());
        }
        readBuffer.clear();
        try {
            socket.read(readBuffer, null, reads);
        } catch (RuntimeException e) {
            reads.failNow(e);
        }
    }

    private final class Reads extends LoopCompletion<Integer> {
        Reads(BaseEventLoop loop) {
            super(loop);
        }

        @Override
        protected void onCompleted(Integer read) {
            reading = false;
            if (closing) {
                return; // asyncio cancels the read at close; NIO.2 cannot, so its outcome is dropped
            }
            if (paused) {
                held = read;
                return;
            }
            deliver(read);
        }

        @Override
        protected void onFailed(Throwable error) {
            reading = false;
            if (!closing) { // else: the channel was closed under the read, as intended
                fatalError(error instanceof IOException io ? Networks.resetInTheCLibrarysWords(io) : error,
                        "Fatal read error on socket transport");
            }
        }
    }

    private void deliver(int read) {
        if (read < 0) {
            readEof();
            return;
        }
        readSize.record(read);
        if (read == 0) { // not for a non-empty buffer, but then there is nothing to tell
            startReading();
            return;
        }
        readBuffer.flip();
        delivering = true;
        try {
            if (protocol instanceof BufferedProtocol buffered) {
                if (!feed(buffered)) {
                    return;
                }
            } else {
                try {
                    ((Protocol) protocol).dataReceived(readBuffer);
                } catch (RuntimeException | Error e) {
                    Scheduler.rethrowIfFatal(e);
                    fatalError(e, "Fatal error: protocol.data_received() call failed.");
                    return;
                }
            }
        } catch (VirtualMachineError fatal) {
            // Out of memory in the protocol ends the run in its caller (asyncio's KeyboardInterrupt), and the
            // connection must read on when the loop runs again: asyncio's proactor has its next read under
            // way before data_received. Without it, nothing read this connection again.
            delivering = false;
            startReading();
            throw fatal;
        } finally {
            delivering = false;
        }
        startReading();
    }

    /**
     * asyncio's {@code _feed_data_to_buffered_proto}: copies what was read into the protocol's
     * buffers, as many as it takes. The proactor copies where the selector reads in place: the read
     * was started before the bytes came, and the protocol's buffer is only lent for one read
     * (asyncio's proactor copies too). Returns {@code false} after a fatal error.
     */
    private boolean feed(BufferedProtocol target) {
        while (readBuffer.hasRemaining()) {
            ByteBuffer into;
            try {
                into = bufferToReadInto(target, readBuffer.remaining());
            } catch (RuntimeException | Error e) {
                Scheduler.rethrowIfFatal(e);
                fatalError(e, "Fatal error: protocol.get_buffer() call failed.");
                return false;
            }
            int count = Math.min(into.remaining(), readBuffer.remaining());
            int limit = readBuffer.limit();
            readBuffer.limit(readBuffer.position() + count);
            into.put(readBuffer);
            readBuffer.limit(limit);
            try {
                target.bufferUpdated(count);
            } catch (RuntimeException | Error e) {
                Scheduler.rethrowIfFatal(e);
                fatalError(e, "Fatal error: protocol.buffer_updated() call failed.");
                return false;
            }
        }
        return true;
    }

    // asyncio's _eof_received: the protocol may keep the connection open for writing.
    private void readEof() {
        readEof = true;
        eofReceived(() -> { }); // open for writing: no read is started again
    }

    @Override
    public void pauseReading() {
        if (closing || paused) {
            return;
        }
        paused = true;
    }

    @Override
    public void resumeReading() {
        if (closing || !paused) {
            return;
        }
        paused = false;
        // asyncio's resume_reading adds the reader again, EOF or not: a read after the EOF meets it again
        // and tells the protocol of now. startTls over a connection its protocol kept open for writing
        // pauses, hands the transport to the TLS layer and resumes: without the read, the handshake
        // waited for its timeout (TlsContract.startTlsAfterThePeersEofFailsAtOnceNotAtTheTimeout).
        readEof = false;
        if (held != NOTHING_HELD) {
            loop.callSoon(deliverHeld); // as asyncio: not from inside resumeReading, the protocol may pause again
        } else {
            startReading();
        }
    }

    private void deliverHeld() {
        if (paused || closing || held == NOTHING_HELD) {
            return;
        }
        int read = held;
        held = NOTHING_HELD;
        deliver(read);
    }

    // ---- writing ---------------------------------------------------------------------------------------

    @Override
    public void write(ByteBuffer data) {
        if (!acceptsWrite(data)) {
            return;
        }
        buffer.add(data);
        startWriting();
        flowControl.maybePause(protocol);
    }

    private void startWriting() {
        if (writing || buffer.isEmpty()) {
            return;
        }
        writing = true;
        batchSize = buffer.gather(batch);
        try {
            socket.write(batch, 0, batchSize, 0, TimeUnit.MILLISECONDS, null, writes);
        } catch (RuntimeException e) {
            writes.failNow(e);
        }
    }

    private final class Writes extends LoopCompletion<Long> {
        Writes(BaseEventLoop loop) {
            super(loop);
        }

        @Override
        protected void onCompleted(Long written) {
            writeDone();
            if (connLost > 0) {
                return; // aborted meanwhile: the buffer was dropped
            }
            buffer.consumed(written);
            if (!buffer.isEmpty()) {
                startWriting();
                // Last, as asyncio's _loop_writing: the protocol may write more (which joins the write under
                // way), or throw out of memory, which ends the run with the transport's next step under way.
                flowControl.maybeResume(protocol);
                return;
            }
            // Drained: the protocol resumes before anything ends the connection, whose connectionLost is its
            // last callback (asyncio's proactor schedules it; called first here, a protocol that wrote the
            // rest in resumeWriting wrote into a lost transport: TransportBadLuckContract). What comes next
            // is in a finally: an error out of resumeWriting (out of memory, which ends the run) left a
            // closing connection open for good otherwise.
            try {
                flowControl.maybeResume(protocol);
            } finally {
                if (!buffer.isEmpty()) {
                    startWriting(); // written as writing resumed
                } else if (closing) {
                    drainedWhileClosing();
                } else if (eof) {
                    shutdownOutput();
                }
            }
        }

        @Override
        protected void onFailed(Throwable error) {
            writeDone();
            if (connLost == 0) {
                buffer.clear();
                fatalError(error instanceof IOException io ? Networks.resetInTheCLibrarysWords(io) : error,
                        "Fatal write error on socket transport");
            }
        }
    }

    private void writeDone() {
        writing = false;
        Arrays.fill(batch, 0, batchSize, null); // the chunks may be large: do not keep them alive
        batchSize = 0;
    }

    @Override
    protected void shutdownSocketOutput() throws IOException {
        socket.shutdownOutput();
    }

    // ---- closing ---------------------------------------------------------------------------------------

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        SendfileTransport.closing(protocol);
        if (buffer.isEmpty()) {
            connLost++;
            loop.callSoon(() -> callConnectionLost(null));
        }
    }

    @Override
    protected void dropBuffer() {
        buffer.clear(); // a write in flight keeps its batch; its completion is ignored
    }

    @Override
    protected void stopIo() {
        // Nothing to withdraw: pending operations end when callConnectionLost closes the channel,
        // and their completions are ignored since the transport is closing.
    }

    @Override
    protected void closeChannel() throws IOException {
        socket.close();
    }
}
