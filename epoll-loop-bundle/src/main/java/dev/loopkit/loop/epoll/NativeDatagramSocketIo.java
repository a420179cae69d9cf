package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.transports.DatagramSocketIo;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;

/**
 * A UDP socket of the epoll loop's own, watched directly in its epoll set: each datagram is one
 * {@code recvfrom} or {@code sendto} on the loop thread, with no hand-over to a helper selector (a
 * JDK {@code DatagramChannel} through the {@link ChannelWatcher} cost two thread hops a datagram:
 * 0.22× Netty NIO on the UDP echo benchmark, against 1.9× for the selector loop). Loop thread only,
 * but for {@link #close()}.
 */
final class NativeDatagramSocketIo implements DatagramSocketIo {

    private final EpollEventLoop loop;
    private final NativeSocket socket;
    private boolean connected;
    private boolean reading;
    private boolean writing;

    private NativeDatagramSocketIo(EpollEventLoop loop, NativeSocket socket) {
        this.loop = loop;
        this.socket = socket;
    }

    /** A new non-blocking, close-on-exec UDP socket of {@code family} (IPv6 dual-stack). */
    static NativeDatagramSocketIo open(EpollEventLoop loop, ProtocolFamily family) throws IOException {
        return new NativeDatagramSocketIo(loop, NativeSocket.openDatagram(loop, family));
    }

    @Override
    public NetworkChannel channel() {
        return socket;
    }

    @Override
    public void connect(SocketAddress remote) throws IOException {
        if (!socket.connect(remote)) {
            throw new IOException("connect(2) of a UDP socket to " + remote + " did not complete at once");
        }
        connected = true;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        return connected ? socket.getRemoteAddress() : null;
    }

    @Override
    public SocketAddress receive(ByteBuffer into) throws IOException {
        return socket.receive(into);
    }

    @Override
    public boolean send(ByteBuffer data, SocketAddress to) throws IOException {
        return socket.send(data, to);
    }

    @Override
    public void watchReadable(Runnable onReadable) {
        loop.watchReadable(socket.fd(), onReadable);
        reading = true;
    }

    @Override
    public void stopReading() {
        if (reading && socket.isOpen()) {
            loop.unwatchReadable(socket.fd());
        }
        reading = false;
    }

    @Override
    public void watchWritable(Runnable onWritable) {
        loop.watchWritable(socket.fd(), onWritable);
        writing = true;
    }

    @Override
    public void stopWriting() {
        if (writing && socket.isOpen()) {
            loop.unwatchWritable(socket.fd());
        }
        writing = false;
    }

    // Out of the epoll set first: once closed, the descriptor's number may be another's.
    @Override
    public void close() throws IOException {
        if (loop.inLoopThreadOrIdle()) {
            stopReading();
            stopWriting();
        }
        socket.close();
    }
}
