package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.Uninterruptibly;
import dev.loopkit.loop.core.ZeroCopySocket.FileSending;
import dev.loopkit.loop.core.transports.ConnectedChannel;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.Sockets;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.util.Set;
import java.util.function.Function;

/**
 * A non-blocking socket on a raw descriptor (a TCP or Unix-domain stream, or UDP datagrams), which
 * the epoll loop watches in its own epoll set: a {@code NetworkChannel} to {@code Server.sockets()}
 * and the transports' {@code socket} extra, and a gathering byte channel to the stream transports, with NIO's
 * non-blocking conventions (a read or write that would block returns 0, end of file -1). Loop thread
 * only, as the loop's transports and servers that own it; {@link #close()} from any thread.
 */
final class NativeSocket implements ConnectedChannel, ByteChannel, GatheringByteChannel {

    private final EpollEventLoop loop;
    private final Posix posix = Posix.get();
    private final Sockets sockets = posix.sockets();
    private final int fd;
    /** An accepted socket's peer as {@code accept4} named it (the JDK's channel keeps it too); {@code null} otherwise. */
    private final SocketAddress acceptedPeer;
    private volatile boolean open = true;

    private NativeSocket(EpollEventLoop loop, int fd, SocketAddress acceptedPeer) {
        this.loop = loop;
        this.fd = fd;
        this.acceptedPeer = acceptedPeer;
    }

    /** A new socket of {@code family}, not yet bound or connected. */
    static NativeSocket open(EpollEventLoop loop, ProtocolFamily family) throws PosixException {
        return new NativeSocket(loop, Posix.get().sockets().open(family), null);
    }

    /** A new UDP socket of {@code family}, not yet bound or connected. */
    static NativeSocket openDatagram(EpollEventLoop loop, ProtocolFamily family) throws PosixException {
        return new NativeSocket(loop, Posix.get().sockets().openDatagram(family), null);
    }

    /** The descriptor, for the loop's epoll set. */
    int fd() {
        return fd;
    }

    // ---- listening -------------------------------------------------------------------------------------

    /** {@code listen}, once bound. */
    void listen(int backlog) throws IOException {
        sockets.listen(checkOpen(), backlog);
    }

    /** The next waiting connection, or {@code null} when none is. */
    NativeSocket accept() throws IOException {
        Sockets.Accepted accepted = sockets.accept(checkOpen());
        return accepted == null ? null : new NativeSocket(loop, accepted.fd(), accepted.peer());
    }

    // ---- connecting ------------------------------------------------------------------------------------

    /** Starts connecting: {@code true} when connected at once; otherwise wait for writability, then {@link #finishConnect()}. */
    boolean connect(SocketAddress address) throws IOException {
        try {
            return sockets.connect(checkOpen(), address);
        } catch (PosixException e) {
            throw refusedAs(e, ConnectException::new);
        }
    }

    /** The outcome of a connection under way: throws its error. */
    void finishConnect() throws IOException {
        try {
            sockets.finishConnect(checkOpen());
        } catch (PosixException e) {
            throw refusedAs(e, ConnectException::new);
        }
    }

    /** {@code IPV6_V6ONLY} on, before the bind: this IPv6 socket serves IPv6 alone. */
    void ipv6Only() throws IOException {
        try {
            sockets.ipv6Only(checkOpen());
        } catch (IOException e) {
            Networks.closeQuietly(this);
            throw e;
        }
    }

    /** {@code shutdown(SHUT_WR)}. */
    void shutdownOutput() throws IOException {
        sockets.shutdownOutput(checkOpen());
    }

    // ---- bytes -----------------------------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        int read;
        try {
            read = posix.read(checkOpen(), dst);
        } catch (PosixException e) {
            throw asTheJdksChannelsSay(e);
        }
        return read < 0 ? 0 : read == 0 ? -1 : read;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        try {
            return Math.max(0, posix.write(checkOpen(), src));
        } catch (PosixException e) {
            throw asTheJdksChannelsSay(e);
        }
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
        try {
            return Math.max(0, loop.ioVector().write(checkOpen(), sources, offset, length));
        } catch (PosixException e) {
            throw asTheJdksChannelsSay(e);
        }
    }

    @Override
    public long write(ByteBuffer[] sources) throws IOException {
        return write(sources, 0, sources.length);
    }

    /** One datagram into {@code dst}: who sent it, or {@code null} when none waits. */
    SocketAddress receive(ByteBuffer dst) throws IOException {
        try {
            return sockets.receiveFrom(checkOpen(), dst);
        } catch (PosixException e) {
            throw refusedAs(e, PortUnreachableException::new);
        }
    }

    /** One datagram to {@code to} (the peer when {@code null}): {@code false} when it would block. */
    boolean send(ByteBuffer src, SocketAddress to) throws IOException {
        try {
            return sockets.sendTo(checkOpen(), src, to) >= 0;
        } catch (PosixException e) {
            throw refusedAs(e, PortUnreachableException::new);
        }
    }

    /**
     * Starts sending {@code file} to this socket with {@code sendfile(2)}, on a descriptor of the
     * file's own (the JDK does not give out the channel's: {@code Posix.duplicateDescriptor} finds
     * it), which the sending closes.
     *
     * @throws IOException when no descriptor of the file is found, or the socket is closed: sendfile falls back
     */
    FileSending sendFrom(FileChannel file) throws IOException {
        checkOpen();
        int fileFd = Uninterruptibly.onFile(() -> posix.duplicateDescriptor(file)); // it moves the file's position
        if (fileFd < 0) {
            throw new IOException("no descriptor of " + file + " found: sendfile(2) is not available for it");
        }
        return new FileSending() {
            private boolean closed;

            @Override
            public long send(long position, long count) throws IOException {
                try {
                    return posix.sendfile(checkOpen(), fileFd, position, count);
                } catch (PosixException e) {
                    throw asTheJdksChannelsSay(e);
                }
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    Networks.closeQuietly(() -> posix.close(fileFd));
                }
            }
        };
    }

    /**
     * A failed read or write as the JDK's {@code SocketChannel} reports it: the C library's words alone
     * ("Broken pipe"), a reset as a {@link SocketException}, so that the transports and their protocols
     * hear the same from this loop's sockets as from the selector loop's (asyncio's {@code BrokenPipeError(32,
     * 'Broken pipe')}). The call and the descriptor ("write 56") stay in the cause.
     */
    private static IOException asTheJdksChannelsSay(PosixException e) {
        IOException said = "ECONNRESET".equals(e.errnoName()) ? new SocketException(e.strerror()) : new IOException(e.strerror());
        said.initCause(e);
        return said;
    }

    // ECONNREFUSED as the JDK's exception for it there: a refused connect's ConnectException (a Unix-domain
    // client retrying until its server is up catches that on the other loops: the network review), ICMP's
    // port unreachable on a connected datagram socket the DatagramChannel's PortUnreachableException; the
    // rest as a read's or write's.
    private static IOException refusedAs(PosixException e, Function<String, ? extends SocketException> jdks) {
        if (!"ECONNREFUSED".equals(e.errnoName())) {
            return asTheJdksChannelsSay(e);
        }
        SocketException said = jdks.apply(e.strerror());
        said.initCause(e);
        return said;
    }

    // ---- NetworkChannel ----------------------------------------------------------------------------------

    /** {@code bind(2)}; a failure is a {@link BindException} in the C library's words, as the JDK's. */
    @Override
    public NativeSocket bind(SocketAddress local) throws IOException {
        try {
            sockets.bind(checkOpen(), local);
        } catch (PosixException e) {
            BindException failed = new BindException(e.strerror());
            failed.initCause(e);
            throw failed;
        }
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return sockets.localAddress(checkOpen());
    }

    /**
     * The peer, or {@code null} for a socket that is not connected (a listening one), as the JDK's
     * channels answer. An accepted socket answers with accept's peer: {@code getpeername} fails on
     * one the peer reset before it was accepted, and asyncio's server names the peer all the same.
     */
    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        int fd = checkOpen();
        if (acceptedPeer != null) {
            return acceptedPeer;
        }
        try {
            return sockets.remoteAddress(fd);
        } catch (PosixException e) {
            if ("ENOTCONN".equals(e.errnoName())) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public <T> NativeSocket setOption(SocketOption<T> name, T value) throws IOException {
        sockets.setOption(checkOpen(), name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return sockets.getOption(checkOpen(), name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Sockets.supportedOptions();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Closes the descriptor once; its number may be another's right after, so nothing uses it again. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
        }
        posix.close(fd);
    }

    private int checkOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
        return fd;
    }

    @Override
    public String toString() {
        if (!open) {
            return "<NativeSocket closed>";
        }
        String local;
        try {
            local = String.valueOf(getLocalAddress());
        } catch (IOException e) {
            local = "?";
        }
        return "<NativeSocket fd=" + fd + " laddr=" + local + ">";
    }
}
