package dev.loopkit.loop.selector;

import dev.loopkit.api.BufferedProtocol;
import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.transports.AbstractServer;
import dev.loopkit.loop.core.transports.AbstractSocketTransport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * asyncio's {@code _SelectorSocketTransport}: a TCP or Unix-domain connection. Reads go into the
 * loop's shared direct buffer (or straight into a {@link BufferedProtocol}'s own buffer); writes
 * go to the socket at once, and only what it does not take is copied to the write buffer, drained
 * on writability with gathering writes.
 */
final class SelectorSocketTransport extends AbstractSocketTransport {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final SelectorEventLoop selectorLoop;
    private final SocketChannel socket;
    // Made once: re-registering after pauseReading() or a full buffer allocates no new lambda.
    private final Runnable onReadable = this::readReady;
    private final Runnable onWritable = this::writeReady;

    SelectorSocketTransport(SelectorEventLoop loop, SocketChannel socket, Protocol protocol, AbstractServer server) {
        super(loop, protocol, server);
        this.selectorLoop = loop;
        this.socket = socket;
        putSocketExtras(socket);
    }

    /** Tells the protocol, then starts reading; {@code whenMade} runs once the protocol knows. */
    void start(Runnable whenMade) {
        Protocol connected = (Protocol) protocol;
        scheduleConnectionMade(() -> connected.connectionMade(this), () -> {
            if (!closing && !paused) {
                selectorLoop.addReader(socket, onReadable);
            }
            whenMade.run();
        });
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
        ByteBuffer data = selectorLoop.sharedReadBuffer();
        int read;
        try {
            read = socket.read(data);
        } catch (IOException e) {
            fatalError(e, "Fatal read error on socket transport");
            return;
        }
        if (read < 0) {
            readEof();
            return;
        }
        if (read == 0) {
            return;
        }
        data.flip();
        try {
            target.dataReceived(data);
        } catch (RuntimeException e) {
            fatalError(e, "Fatal error: protocol.data_received() call failed.");
        }
    }

    private void readIntoProtocolBuffer(BufferedProtocol target) {
        ByteBuffer into;
        try {
            into = target.getBuffer(-1);
            if (into == null || !into.hasRemaining()) {
                throw new IllegalStateException("get_buffer() returned an empty buffer");
            }
        } catch (RuntimeException e) {
            fatalError(e, "Fatal error: protocol.get_buffer() call failed.");
            return;
        }
        int read;
        try {
            read = socket.read(into);
        } catch (IOException e) {
            fatalError(e, "Fatal read error on socket transport");
            return;
        }
        if (read < 0) {
            readEof();
            return;
        }
        if (read == 0) {
            return;
        }
        try {
            target.bufferUpdated(read);
        } catch (RuntimeException e) {
            fatalError(e, "Fatal error: protocol.buffer_updated() call failed.");
        }
    }

    // asyncio's _read_ready__on_eof: the protocol may keep the connection open for writing.
    private void readEof() {
        eofReceived(() -> selectorLoop.removeReader(socket));
    }

    @Override
    public void pauseReading() {
        if (closing || paused) {
            return;
        }
        paused = true;
        selectorLoop.removeReader(socket);
    }

    @Override
    public void resumeReading() {
        if (closing || !paused) {
            return;
        }
        paused = false;
        selectorLoop.addReader(socket, onReadable);
    }

    // ---- writing ---------------------------------------------------------------------------------------

    @Override
    public void write(ByteBuffer data) {
        if (!acceptsWrite(data)) {
            return;
        }
        if (buffer.isEmpty()) {
            try {
                socket.write(data);
            } catch (IOException e) {
                fatalError(e, "Fatal write error on socket transport");
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
            selectorLoop.addWriter(socket, onWritable);
        }
        buffer.add(data);
        flowControl.maybePause(protocol);
    }

    private void writeReady() {
        if (connLost > 0) {
            return;
        }
        try {
            buffer.writeTo(socket);
        } catch (IOException e) {
            selectorLoop.removeWriter(socket);
            buffer.clear();
            fatalError(e, "Fatal write error on socket transport");
            return;
        }
        flowControl.maybeResume(protocol);
        if (!buffer.isEmpty()) {
            return;
        }
        selectorLoop.removeWriter(socket);
        bufferDrained();
        if (closing) {
            connLost++;
            callConnectionLost(null);
        } else if (eof) {
            shutdownOutput();
        }
    }

    /** Zero-copy sendfile writes to the socket itself: nothing of this transport transforms the bytes. */
    @Override
    public SocketChannel zeroCopyChannel() {
        return socket;
    }

    @Override
    protected void shutdownSocketOutput() throws IOException {
        socket.shutdownOutput();
    }

    // ---- closing ---------------------------------------------------------------------------------------

    @Override
    protected void stopReading() {
        selectorLoop.removeReader(socket);
    }

    @Override
    protected void dropBuffer() {
        if (!buffer.isEmpty()) {
            buffer.clear();
            selectorLoop.removeWriter(socket);
        }
    }

    @Override
    protected void stopIo() {
        selectorLoop.removeReader(socket);
        selectorLoop.removeWriter(socket);
    }

    @Override
    protected void closeChannel() throws IOException {
        socket.close();
    }
}
