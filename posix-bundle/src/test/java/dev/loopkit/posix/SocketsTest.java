package dev.loopkit.posix;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.Test;

/** Non-blocking stream sockets on raw descriptors: TCP over IPv4 and IPv6, Unix-domain, writev. */
public class SocketsTest extends PosixTestSupport {

    private final Sockets sockets = Posix.get().sockets();

    private void closeAll(int[] fds) throws PosixException {
        for (int fd : fds) {
            posix.close(fd);
        }
    }

    @Test
    public void tcpOverIpv4NamesBothEndsAndMovesBytesBothWays() throws Exception {
        int[] fds = connectedPair(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try {
            InetSocketAddress server = (InetSocketAddress) sockets.localAddress(fds[0]);
            assertEquals(InetAddress.getLoopbackAddress(), server.getAddress());
            assertTrue(server.getPort() > 0);
            assertEquals(server, sockets.remoteAddress(fds[1]));
            assertEquals(sockets.localAddress(fds[1]), sockets.remoteAddress(fds[2]));
            assertEquals(4, posix.write(fds[1], ByteBuffer.wrap("ping".getBytes())));
            ByteBuffer into = ByteBuffer.allocate(10);
            assertEquals(0, posix.awaitReadable(new int[] {fds[2]}, 10_000));
            assertEquals(4, posix.read(fds[2], into));
            assertEquals("ping", new String(into.array(), 0, 4));
            assertEquals("nothing more: would block", -1, posix.read(fds[2], into));
            sockets.shutdownOutput(fds[2]);
            assertEquals(0, posix.awaitReadable(new int[] {fds[1]}, 10_000));
            assertEquals("end of file after the peer's SHUT_WR", 0, posix.read(fds[1], ByteBuffer.allocate(4)));
        } finally {
            closeAll(fds);
        }
    }

    @Test
    public void ipv6AndADualStackListener() throws Exception {
        int[] fds = connectedPair(new InetSocketAddress(InetAddress.getByName("::1"), 0));
        closeAll(fds);
        int any = sockets.open(StandardProtocolFamily.INET6);
        try {
            sockets.bind(any, new InetSocketAddress(InetAddress.getByName("::"), 0));
            sockets.listen(any, 1);
            int port = ((InetSocketAddress) sockets.localAddress(any)).getPort();
            int client = sockets.open(StandardProtocolFamily.INET);
            try {
                sockets.connect(client, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
                assertEquals(0, posix.awaitReadable(new int[] {any}, 10_000));
                Sockets.Accepted accepted = sockets.accept(any);
                // the IPv4-mapped peer of a dual-stack socket reads as the IPv4 address
                assertEquals(sockets.localAddress(client), accepted.peer());
                assertEquals(sockets.localAddress(client), sockets.remoteAddress(accepted.fd()));
                posix.close(accepted.fd());
            } finally {
                posix.close(client);
            }
        } finally {
            posix.close(any);
        }
    }

    @Test
    public void unixDomainSocketsAndTheirPaths() throws Exception {
        Path path = Files.createTempDirectory("loopkit-sockets").resolve("s.sock");
        int[] fds = connectedPair(UnixDomainSocketAddress.of(path));
        try {
            assertEquals(UnixDomainSocketAddress.of(path), sockets.localAddress(fds[0]));
            assertEquals(UnixDomainSocketAddress.of(path), sockets.remoteAddress(fds[1]));
            assertEquals("an unnamed client", UnixDomainSocketAddress.of(""), sockets.localAddress(fds[1]));
        } finally {
            closeAll(fds);
            Files.delete(path);
        }
        assertThrows(IllegalArgumentException.class,
                () -> sockets.bind(-1, UnixDomainSocketAddress.of("/" + "x".repeat(120))));
    }

    @Test
    public void connectingToAClosedPortIsRefusedInTheLibrarysWords() throws Exception {
        int listener = sockets.open(StandardProtocolFamily.INET);
        sockets.bind(listener, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketAddress nobody = sockets.localAddress(listener);
        posix.close(listener);
        int client = sockets.open(StandardProtocolFamily.INET);
        try {
            PosixException refused = assertThrows(PosixException.class, () -> {
                if (!sockets.connect(client, nobody)) {
                    posix.awaitReadable(new int[] {client}, 10_000); // POLLHUP|POLLERR once it failed
                    sockets.finishConnect(client);
                }
            });
            assertEquals("ECONNREFUSED", refused.errnoName());
            assertEquals("Connection refused", refused.getMessage());
        } finally {
            posix.close(client);
        }
    }

    @Test
    public void optionsAreSetAndRead() throws Exception {
        int fd = sockets.open(StandardProtocolFamily.INET);
        try {
            assertFalse(sockets.getOption(fd, StandardSocketOptions.TCP_NODELAY));
            sockets.setOption(fd, StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(sockets.getOption(fd, StandardSocketOptions.TCP_NODELAY));
            sockets.setOption(fd, StandardSocketOptions.SO_REUSEADDR, true);
            assertTrue(sockets.getOption(fd, StandardSocketOptions.SO_REUSEADDR));
            assertEquals(Integer.valueOf(-1), sockets.getOption(fd, StandardSocketOptions.SO_LINGER));
            sockets.setOption(fd, StandardSocketOptions.SO_LINGER, 3);
            assertEquals(Integer.valueOf(3), sockets.getOption(fd, StandardSocketOptions.SO_LINGER));
            assertThrows(UnsupportedOperationException.class, () -> sockets.getOption(fd, StandardSocketOptions.IP_TOS));
        } finally {
            posix.close(fd);
        }
    }

    @Test
    public void writevTakesDirectBuffersFromTheirPositionsAndStopsAtAHeapOne() throws Exception {
        int[] pipe = posix.pipe();
        try (IoVector vector = posix.ioVector(4)) {
            ByteBuffer first = ByteBuffer.allocateDirect(8).put("xxab".getBytes()).flip().position(2);
            ByteBuffer second = ByteBuffer.allocateDirect(8).put("cde".getBytes()).flip();
            ByteBuffer heap = ByteBuffer.wrap("fg".getBytes());
            ByteBuffer[] batch = {first, second, heap};
            assertEquals(5, vector.write(pipe[1], batch, 0, 3));
            assertFalse(first.hasRemaining());
            assertFalse(second.hasRemaining());
            assertEquals("the heap buffer waits for a write of its own", 2, heap.remaining());
            assertEquals(2, vector.write(pipe[1], batch, 2, 1));
            ByteBuffer into = ByteBuffer.allocate(16);
            assertEquals(7, posix.read(pipe[0], into));
            assertArrayEquals("abcdefg".getBytes(), Arrays.copyOf(into.array(), 7));
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }
}
