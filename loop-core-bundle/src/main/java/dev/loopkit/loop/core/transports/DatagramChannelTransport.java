package dev.loopkit.loop.core.transports;

import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.DatagramTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.ChannelReadiness;
import dev.loopkit.loop.core.Networks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * asyncio's {@code _SelectorDatagramTransport}, on every loop, over a {@link DatagramSocketIo}: a
 * non-blocking {@link DatagramChannel} watched by the loop's {@link ChannelReadiness} (the selector
 * loop's own selector; the proactor's channel poller, NIO.2 having no asynchronous datagram
 * channel), or a native socket in the epoll loop's own epoll set. One datagram is read per
 * readiness into the loop's shared 256 KiB buffer (asyncio's {@code max_size}, above the largest UDP
 * datagram). {@code sendto} sends at once; what the socket does not take waits, copied, in a queue
 * of datagrams drained on writability, with asyncio's flow control over its size. OS errors of a
 * send or a receive go to the protocol's {@code errorReceived} and the endpoint stays open, as in
 * asyncio; anything else is fatal.
 */
public final class DatagramChannelTransport extends AbstractTransport implements DatagramTransport {

    /** A datagram that waits to be sent: a copy of its bytes, and where to. */
    private record Pending(ByteBuffer data, SocketAddress address) {
        /** What it counts in the write buffer's size: its bytes and asyncio 3.13's header size. */
        int size() {
            return data.remaining() + HEADER_SIZE;
        }
    }

    /**
     * asyncio 3.13's {@code _header_size}: what each buffered datagram counts beside its data, so that
     * empty datagrams, which it sends now, still reach the high-water mark.
     */
    static final int HEADER_SIZE = 8;

    private final DatagramSocketIo socket;
    /** asyncio's {@code _address}: the remote address given at creation, or {@code null}. */
    private final SocketAddress address;
    /** The socket is connected ({@code peername} set): {@code send}, not {@code sendto}. */
    private final boolean connected;
    private final ArrayDeque<Pending> buffer = new ArrayDeque<>();
    private int bufferSize;
    // Made once: re-registering allocates no new lambda.
    private final Runnable onReadable = this::readReady;
    private final Runnable onWritable = this::sendtoReady;

    /**
     * A transport for {@code channel} (bound, non-blocking, connected unless {@code address} is only
     * the default destination of a broadcasting endpoint).
     */
    public DatagramChannelTransport(BaseEventLoop loop, ChannelReadiness readiness, DatagramChannel channel,
            DatagramProtocol protocol, SocketAddress address) {
        this(loop, new JdkDatagramSocketIo(readiness, channel), protocol, address);
    }

    /**
     * A transport for {@code socket} (bound, connected unless {@code address} is only the default
     * destination of a broadcasting endpoint).
     */
    public DatagramChannelTransport(BaseEventLoop loop, DatagramSocketIo socket, DatagramProtocol protocol,
            SocketAddress address) {
        super(loop, protocol, null);
        this.socket = Objects.requireNonNull(socket, "socket");
        usesSocket(socket.channel());
        this.address = address;
        this.connected = socket.isConnected();
        putExtra("socket", new ChannelTransportSocket(socket.channel()));
        try {
            putExtra("sockname", socket.channel().getLocalAddress());
            putExtra("peername", socket.remoteAddress());
        } catch (IOException e) {
            putExtra("peername", null);
        }
    }

    /**
     * Starts reading, then tells the protocol at the next iteration (asyncio's order:
     * {@code connection_made}, then the reader, then the waiter); {@code whenMade} runs after it.
     *
     * @throws UnsupportedOperationException when the loop cannot watch the channel; nothing is then
     *         scheduled and the caller closes the channel
     */
    public void start(Runnable whenMade) {
        // Registered now so that a loop that cannot watch channels fails the endpoint's creation, not a
        // callback; the first datagram still reaches the protocol after connectionMade, which is queued first.
        socket.watchReadable(onReadable);
        DatagramProtocol made = (DatagramProtocol) protocol;
        scheduleConnectionMade(() -> made.connectionMade(this), whenMade);
    }

    // ---- receiving -------------------------------------------------------------------------------------

    private void readReady() {
        if (connLost > 0) {
            return;
        }
        ByteBuffer data = loop.readBuffer();
        SocketAddress from;
        try {
            from = socket.receive(data);
        } catch (IOException e) {
            errorReceived(e);
            return;
        } catch (RuntimeException e) {
            fatalError(e, "Fatal read error on datagram transport");
            return;
        }
        if (from == null) {
            return; // would block
        }
        data.flip();
        // Outside any try, as asyncio's _read_ready: what the protocol throws is the loop's to report
        // ("Exception in callback ..."), and the endpoint receives on; one bad datagram used to close it.
        ((DatagramProtocol) protocol).datagramReceived(data, from);
    }

    // asyncio calls error_received outside any try too: what it throws reaches the loop, or sendto's caller.
    private void errorReceived(IOException error) {
        ((DatagramProtocol) protocol).errorReceived(error);
    }

    // ---- sending ---------------------------------------------------------------------------------------

    @Override
    public void sendto(ByteBuffer data, SocketAddress addr) {
        Objects.requireNonNull(data, "data");
        SocketAddress to = addr;
        if (address != null) {
            if (addr != null && !addr.equals(address)) {
                throw new IllegalArgumentException("Invalid address: must be None or " + Networks.describe(address));
            }
            to = address;
        }
        if (to == null && !connected) {
            throw new IllegalArgumentException("sendto() needs an address: the endpoint has no remote address");
        }
        if (connLost > 0 && address != null) {
            countLostWrite();
            return;
        }
        if (buffer.isEmpty()) {
            try {
                if (send(data, to)) {
                    return;
                }
                socket.watchWritable(onWritable);
            } catch (IOException e) {
                errorReceived(e);
                return;
            } catch (RuntimeException e) {
                fatalError(e, "Fatal write error on datagram transport");
                return;
            }
        }
        Pending pending = new Pending(ByteBuffer.allocate(data.remaining()).put(data).flip(), to);
        buffer.addLast(pending);
        bufferSize += pending.size();
        flowControl.maybePause(protocol);
    }

    /**
     * Sends one datagram, maybe empty (asyncio 3.13 sends those: gh-113812); {@code false} when the socket
     * would block (nothing was sent). A
     * destination the socket cannot take is an {@link IOException} for errorReceived, as asyncio's
     * {@code sendto} meets it ({@code gaierror}, EAFNOSUPPORT), not a fatal error that closes the endpoint.
     */
    private boolean send(ByteBuffer data, SocketAddress to) throws IOException {
        SocketAddress destination = connected ? null : to;
        if (destination instanceof InetSocketAddress inet && inet.isUnresolved()) {
            throw new IOException("unresolved address: " + inet); // a look-up would block the loop
        }
        return socket.send(data, destination); // errors in the C library's words (JdkDatagramSocketIo.send)
    }

    private void sendtoReady() {
        while (!buffer.isEmpty()) {
            Pending next = buffer.pollFirst();
            bufferSize -= next.size();
            try {
                if (!send(next.data(), next.address())) {
                    buffer.addFirst(next); // try again on the next writability
                    bufferSize += next.size();
                    break;
                }
            } catch (IOException e) {
                errorReceived(e);
                return;
            } catch (RuntimeException e) {
                fatalError(e, "Fatal write error on datagram transport");
                return;
            }
        }
        flowControl.maybeResume(protocol); // may send more
        if (buffer.isEmpty()) {
            socket.stopWriting();
            if (closing) {
                drainedWhileClosing();
            }
        }
    }

    @Override
    protected int bufferSize() {
        return bufferSize;
    }

    // ---- closing ---------------------------------------------------------------------------------------

    @Override
    protected void stopReading() {
        socket.stopReading();
    }

    @Override
    protected void dropBuffer() {
        if (!buffer.isEmpty()) {
            buffer.clear();
            bufferSize = 0;
            socket.stopWriting();
        }
    }

    @Override
    protected void stopIo() {
        socket.stopReading();
        socket.stopWriting();
    }

    @Override
    protected void closeChannel() throws IOException {
        socket.close();
    }

    @Override
    protected String describeChannel() {
        return "sockname=" + getExtraInfo("sockname") + " peer=" + getExtraInfo("peername") + " buffered=" + bufferSize;
    }
}
