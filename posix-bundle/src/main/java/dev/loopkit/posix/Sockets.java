package dev.loopkit.posix;

import dev.loopkit.posix.libc.LibC;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Map;
import java.util.Set;
import jnr.constants.platform.Errno;

/**
 * Sockets on raw descriptors, for a loop that watches them in its own epoll set: TCP over IPv4 and
 * IPv6 and Unix-domain streams, and UDP datagrams over IPv4 and IPv6. Every socket is made non-blocking and close-on-exec
 * ({@code SOCK_NONBLOCK | SOCK_CLOEXEC}, and {@code accept4} for accepted ones), so calls that would
 * block say so instead ({@code -1}, {@code false}). Addresses are java.net's. {@code EINTR} is
 * retried (PEP 475); closing is {@link Posix#close(int)}. Thread-safe.
 */
public final class Sockets {

    private static final int EINTR = Errno.EINTR.intValue();
    private static final int EAGAIN = Errno.EAGAIN.intValue();
    private static final int EINPROGRESS = Errno.EINPROGRESS.intValue();
    /** A connection reset while it waited in the backlog: asyncio ignores it and accepts the next. */
    private static final int ECONNABORTED = Errno.ECONNABORTED.intValue();
    private static final int SOL_SOCKET = 1;
    private static final int SO_ERROR = 4;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;

    /** The options a socket takes: {level, name}. */
    private static final Map<SocketOption<?>, int[]> OPTIONS = Map.of(
            StandardSocketOptions.TCP_NODELAY, new int[] {IPPROTO_TCP, 1},
            StandardSocketOptions.SO_REUSEADDR, new int[] {SOL_SOCKET, 2},
            StandardSocketOptions.SO_BROADCAST, new int[] {SOL_SOCKET, 6},
            StandardSocketOptions.SO_SNDBUF, new int[] {SOL_SOCKET, 7},
            StandardSocketOptions.SO_RCVBUF, new int[] {SOL_SOCKET, 8},
            StandardSocketOptions.SO_KEEPALIVE, new int[] {SOL_SOCKET, 9},
            StandardSocketOptions.SO_LINGER, new int[] {SOL_SOCKET, 13},
            StandardSocketOptions.SO_REUSEPORT, new int[] {SOL_SOCKET, 15});

    private final Native nativeAccess;
    private final LibC libc;

    Sockets(Native nativeAccess) {
        this.nativeAccess = nativeAccess;
        this.libc = nativeAccess.libc;
    }

    /**
     * {@code socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)}. An IPv6 socket is made
     * dual-stack ({@code IPV6_V6ONLY} off), as the JDK makes its own: bound to {@code ::} it
     * accepts IPv4 connections too.
     */
    public int open(ProtocolFamily family) throws PosixException {
        return open(family, Linux.SOCK_STREAM);
    }

    /**
     * {@code socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)}: UDP over IPv4 or IPv6
     * (dual-stack, as {@link #open}), or a Unix-domain datagram socket.
     */
    public int openDatagram(ProtocolFamily family) throws PosixException {
        return open(family, Linux.SOCK_DGRAM);
    }

    private int open(ProtocolFamily family, int type) throws PosixException {
        int domain = family == StandardProtocolFamily.UNIX ? Linux.AF_UNIX
                : family == StandardProtocolFamily.INET6 ? Linux.AF_INET6 : Linux.AF_INET;
        int fd = libc.socket(domain, type | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0);
        if (fd == -1) {
            throw nativeAccess.failure("socket " + family);
        }
        if (domain == Linux.AF_INET6 && libc.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, new int[] {0}, Integer.BYTES) == -1) {
            PosixException failure = nativeAccess.failure("setsockopt IPV6_V6ONLY " + fd);
            libc.close(fd);
            throw failure;
        }
        return fd;
    }

    /**
     * {@code IPV6_V6ONLY} on: an IPv6 socket that serves IPv6 alone, as asyncio's {@code create_server}
     * makes each of its IPv6 sockets, beside which an IPv4 socket may take the same port.
     */
    public void ipv6Only(int fd) throws PosixException {
        if (libc.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, new int[] {1}, Integer.BYTES) == -1) {
            throw nativeAccess.failure("setsockopt IPV6_V6ONLY " + fd);
        }
    }

    /** The family a socket for {@code address} needs. */
    public static ProtocolFamily familyOf(SocketAddress address) {
        int family = SocketAddresses.family(address);
        return family == Linux.AF_UNIX ? StandardProtocolFamily.UNIX
                : family == Linux.AF_INET6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /** {@code bind(2)}; a failure's errno is {@code EADDRINUSE} when the address is taken. */
    public void bind(int fd, SocketAddress address) throws PosixException {
        byte[] sockaddr = SocketAddresses.encode(address);
        if (libc.bind(fd, sockaddr, sockaddr.length) == -1) {
            throw failure(nativeAccess.errno());
        }
    }

    /** {@code listen(2)}. */
    public void listen(int fd, int backlog) throws PosixException {
        if (libc.listen(fd, backlog) == -1) {
            throw nativeAccess.failure("listen " + fd);
        }
    }

    /** A connection taken from a listener's queue: its descriptor, and its peer as {@code accept4} named it. */
    public record Accepted(int fd, SocketAddress peer) {}

    /**
     * {@code accept4(fd, &address, &length, SOCK_NONBLOCK | SOCK_CLOEXEC)}: the next connection, or
     * {@code null} when none is waiting. A connection aborted in the backlog is skipped. The peer is
     * accept's own answer, as Python's {@code socket.accept()} returns it: a connection the peer reset
     * while it waited is still accepted, and {@code getpeername} on it fails ({@code ENOTCONN}).
     */
    public Accepted accept(int fd) throws PosixException {
        byte[] sockaddr = new byte[SocketAddresses.STORAGE_BYTES];
        int[] length = {sockaddr.length};
        while (true) {
            int accepted = libc.accept4(fd, sockaddr, length, Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC);
            if (accepted >= 0) {
                return new Accepted(accepted, SocketAddresses.decode(sockaddr, length[0]));
            }
            int errno = nativeAccess.errno();
            if (errno == EAGAIN) {
                return null;
            }
            if (errno != EINTR && errno != ECONNABORTED) {
                throw PosixException.ofCall(errno, "accept4 " + fd);
            }
            length[0] = sockaddr.length;
        }
    }

    /**
     * {@code connect(2)} on a non-blocking socket: {@code true} when connected at once, {@code false}
     * when the connection is under way ({@code EINPROGRESS}): wait for writability, then
     * {@link #finishConnect}. A failure carries the C library's words alone ("Connection refused").
     */
    public boolean connect(int fd, SocketAddress address) throws PosixException {
        byte[] sockaddr = SocketAddresses.encode(address);
        if (libc.connect(fd, sockaddr, sockaddr.length) == 0) {
            return true;
        }
        int errno = nativeAccess.errno();
        if (errno == EINPROGRESS || errno == EINTR) { // after EINTR the connection goes on in the background
            return false;
        }
        throw failure(errno); // EAGAIN included: a Unix-domain listener with a full backlog
    }

    /** After writability: the outcome of a connection under way, from {@code SO_ERROR}. */
    public void finishConnect(int fd) throws PosixException {
        int[] error = {0};
        if (libc.getsockopt(fd, SOL_SOCKET, SO_ERROR, error, new int[] {Integer.BYTES}) == -1) {
            throw nativeAccess.failure("getsockopt SO_ERROR " + fd);
        }
        if (error[0] != 0) {
            throw failure(error[0]);
        }
    }

    /** {@code getsockname(2)}. */
    public SocketAddress localAddress(int fd) throws PosixException {
        byte[] sockaddr = new byte[SocketAddresses.STORAGE_BYTES];
        int[] length = {sockaddr.length};
        if (libc.getsockname(fd, sockaddr, length) == -1) {
            throw nativeAccess.failure("getsockname " + fd);
        }
        return SocketAddresses.decode(sockaddr, length[0]);
    }

    /** {@code getpeername(2)}; fails ({@code ENOTCONN}) on a socket that is not connected. */
    public SocketAddress remoteAddress(int fd) throws PosixException {
        byte[] sockaddr = new byte[SocketAddresses.STORAGE_BYTES];
        int[] length = {sockaddr.length};
        if (libc.getpeername(fd, sockaddr, length) == -1) {
            throw nativeAccess.failure("getpeername " + fd);
        }
        return SocketAddresses.decode(sockaddr, length[0]);
    }

    /** {@code shutdown(fd, SHUT_WR)}: the peer reads end of file; reading goes on. */
    public void shutdownOutput(int fd) throws PosixException {
        if (libc.shutdown(fd, Linux.SHUT_WR) == -1) {
            throw nativeAccess.failure("shutdown " + fd);
        }
    }

    /**
     * {@code sendto(2)} of {@code src[position, limit)} as one datagram, to {@code address}, or to
     * the peer of a connected socket when {@code address} is {@code null}; advances the position by
     * what was sent.
     *
     * @return the number of bytes sent (all of them: a datagram is not split); -1 when the socket's
     *         buffer is full ({@code EAGAIN})
     * @throws PosixException for any other error, e.g. {@code EMSGSIZE} ("Message too long") for a
     *         datagram over the protocol's limit, {@code ECONNREFUSED} after the peer's port was unreachable
     */
    public int sendTo(int fd, ByteBuffer src, SocketAddress address) throws PosixException {
        byte[] sockaddr = address == null ? null : SocketAddresses.encode(address);
        ByteBuffer source = Posix.passable(src);
        while (true) {
            long count = libc.sendto(fd, source, source.remaining(), 0, sockaddr, sockaddr == null ? 0 : sockaddr.length);
            if (count >= 0) {
                src.position(src.position() + (int) count);
                return (int) count;
            }
            if (!nativeAccess.retryUnlessWouldBlock(Sockets::failure)) {
                return -1;
            }
        }
    }

    /**
     * {@code recvfrom(2)} of one datagram into {@code dst[position, limit)}, advancing its position
     * by its length (what does not fit is lost, as UDP drops it).
     *
     * @return who sent it; {@code null} when no datagram waits ({@code EAGAIN})
     * @throws PosixException for any other error, e.g. {@code ECONNREFUSED} on a connected socket
     *         whose peer's port was unreachable
     */
    public SocketAddress receiveFrom(int fd, ByteBuffer dst) throws PosixException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        byte[] sockaddr = new byte[SocketAddresses.STORAGE_BYTES];
        int[] length = {sockaddr.length};
        ByteBuffer into = ReadScratch.intoWhole(dst);
        while (true) {
            long count = libc.recvfrom(fd, into, into.remaining(), 0, sockaddr, length);
            if (count >= 0) {
                ReadScratch.read(into, dst, (int) count);
                return SocketAddresses.decode(sockaddr, length[0]);
            }
            if (!nativeAccess.retryUnlessWouldBlock(Sockets::failure)) {
                return null;
            }
        }
    }

    /** The options {@link #setOption} and {@link #getOption} take. */
    public static Set<SocketOption<?>> supportedOptions() {
        return OPTIONS.keySet();
    }

    /**
     * {@code setsockopt(2)} for one of {@link #supportedOptions()}: booleans as 0 or 1, sizes as
     * they are, {@code SO_LINGER} as seconds (negative: off).
     */
    public <T> void setOption(int fd, SocketOption<T> option, T value) throws PosixException {
        int[] numbers = numbers(option);
        int[] raw;
        if (option == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            raw = new int[] {seconds < 0 ? 0 : 1, Math.max(seconds, 0)};
        } else if (value instanceof Boolean on) {
            raw = new int[] {on ? 1 : 0};
        } else {
            raw = new int[] {(Integer) value};
        }
        if (libc.setsockopt(fd, numbers[0], numbers[1], raw, raw.length * Integer.BYTES) == -1) {
            throw nativeAccess.failure("setsockopt " + option.name() + " " + fd);
        }
    }

    /** {@code getsockopt(2)} for one of {@link #supportedOptions()}, as {@link #setOption} takes it. */
    public <T> T getOption(int fd, SocketOption<T> option) throws PosixException {
        int[] numbers = numbers(option);
        int[] raw = new int[2];
        if (libc.getsockopt(fd, numbers[0], numbers[1], raw, new int[] {raw.length * Integer.BYTES}) == -1) {
            throw nativeAccess.failure("getsockopt " + option.name() + " " + fd);
        }
        Object value;
        if (option == StandardSocketOptions.SO_LINGER) {
            value = raw[0] == 0 ? -1 : raw[1];
        } else if (option.type() == Boolean.class) {
            value = raw[0] != 0;
        } else {
            value = raw[0];
        }
        return option.type().cast(value);
    }

    private static int[] numbers(SocketOption<?> option) {
        int[] numbers = OPTIONS.get(option);
        if (numbers == null) {
            throw new UnsupportedOperationException("'" + option.name() + "' not supported");
        }
        return numbers;
    }

    // The C library's words alone, as the JDK's exceptions have them: callers add the address.
    private static PosixException failure(int errno) {
        return new PosixException(errno, PosixException.describe(errno));
    }
}
