package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.loopkit.api.Connection;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The low-level socket API and servers with bad luck and bad input, each case with what asyncio does:
 * an outside review's, each of which failed (some on some loops only) before its fix. Run by a subclass
 * per loop; what a loop cannot do (the JDK's asynchronous channels choose no address family) it says
 * with the hooks below, and ASYNCIO-DIFFERENCES says why.
 */
public abstract class SocketBadLuckContract extends SocketTestSupport {

    @Rule
    public final Timeout perTest = Timeout.seconds(90);

    /** A TCP socket of the kind this loop's {@code sock*} operations take, not connected yet. */
    protected NetworkChannel openStreamSocket() throws IOException {
        SocketChannel socket = SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
    }

    /** Whether a server's socket has its address's family, as asyncio's one socket per address: "0.0.0.0" serves IPv4 alone. */
    protected boolean serverSocketsTakeTheirAddressFamily() {
        return true;
    }

    /** Whether the loop serves Unix-domain sockets (the proactor loop does not: NIO.2 has no asynchronous Unix channel). */
    protected boolean servesUnixSockets() {
        return true;
    }

    /** Whether the loop's {@code sock*} operations take the JDK's {@code SocketChannel} (the proactor loop's take NIO.2 channels). */
    protected boolean sockOperationsTakeSocketChannels() {
        return true;
    }

    /** Whether a server on an IPv6 address serves IPv6 alone ({@code IPV6_V6ONLY}, which the JDK's channels cannot set). */
    protected boolean ipv6ServersServeIpv6Alone() {
        return false;
    }

    /** What {@code stage} ends with, its exception unwrapped, or "still pending ..." after {@code seconds}. */
    protected Object outcome(CompletionStage<?> stage, double seconds) {
        Object result = runFor(outcomeOf(stage, seconds));
        if (result instanceof java.util.concurrent.CompletionException wrapped && wrapped.getCause() != null) {
            return wrapped.getCause();
        }
        return result;
    }

    private List<Map<String, Object>> recordErrors() {
        List<Map<String, Object>> reported = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        return reported;
    }

    /**
     * The user's protocol factory fails for one connection with an {@code Error} (an {@code assert}).
     * asyncio's {@code _accept_connection2} catches {@code BaseException}: the connection is dropped
     * (CPython closes the socket), "Error on transport creation for incoming connection" reported, and the
     * server goes on. Loopkit did so for a RuntimeException only; the Error left the accepted socket open
     * to nobody, and the client never saw its end.
     */
    @Test
    public void aProtocolFactoryThrowingAnErrorClosesTheConnectionItWasFor() {
        List<Map<String, Object>> reported = recordErrors();
        int[] calls = {0};
        Supplier<Protocol> factory = () -> {
            if (calls[0]++ == 0) {
                throw new AssertionError("the factory's bug");
            }
            return new EchoProtocol();
        };
        Server server = runFor(loop.createServer(factory, LOCALHOST, 0));
        CollectingProtocol first = new CollectingProtocol(1, false);
        Connection<CollectingProtocol> c1 = runFor(loop.createConnection(() -> first, LOCALHOST, port(server)));
        Object lost = outcome(first.lost, 5);
        c1.transport().close();
        // the server goes on: the next connection echoes
        CollectingProtocol second = new CollectingProtocol(3, false);
        Connection<CollectingProtocol> c2 = runFor(loop.createConnection(() -> second, LOCALHOST, port(server)));
        c2.transport().write(new byte[] {1, 2, 3});
        Object echoed = outcome(second.all, 5);
        c2.transport().close();
        server.close();
        assertNull("the connection the factory failed for was left open by the server (reported: " + reported + ")", lost);
        assertTrue("the server no longer serves after the factory's Error: " + echoed, echoed instanceof byte[]);
        assertTrue("reported: " + reported, reported.stream()
                .anyMatch(c -> "Error on transport creation for incoming connection".equals(c.get("message"))));
    }

    // ---- servers: addresses -----------------------------------------------------------------------------

    /**
     * asyncio's create_server sets {@code IPV6_V6ONLY} on every AF_INET6 socket ("Disable IPv4/IPv6 dual
     * stack support (enabled by default on Linux) which makes a single socket listen on both address
     * families"), so a server on "0.0.0.0" and one on "::" share a port, each with its family.
     */
    @Test
    public void aServerOnTheIpv6WildcardLeavesIpv4ToAServerOnTheSamePort() throws Exception {
        org.junit.Assume.assumeTrue("this loop's IPv6 servers are dual-stack (no IPV6_V6ONLY on the JDK's channels)", ipv6ServersServeIpv6Alone());
        // an IPv4-only listener on 0.0.0.0 (AF_INET), as asyncio's own server on "0.0.0.0" would be
        try (ServerSocketChannel v4 = ServerSocketChannel.open(java.net.StandardProtocolFamily.INET)) {
            v4.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = ((InetSocketAddress) v4.getLocalAddress()).getPort();
            Object v6 = outcome(loop.createServer(EchoProtocol::new, "::", port), 5);
            if (v6 instanceof Server server) {
                server.close();
            } else {
                fail("asyncio binds '::' IPv6-only, beside the IPv4 listener on port " + port + "; here: " + v6);
            }
        }
    }

    /**
     * asyncio's create_server(host="0.0.0.0") listens on one AF_INET socket: IPv4 only. A client
     * connecting to [::1] on that port is refused ("Connect call failed ('::1', port, 0, 0)").
     */
    @Test
    public void aServerOnTheIpv4WildcardServesNoIpv6Client() {
        org.junit.Assume.assumeTrue("this loop's server sockets cannot take their address's family (NIO.2 opens no IPv4-only server)", serverSocketsTakeTheirAddressFamily());
        Server v4 = runFor(loop.createServer(EchoProtocol::new, "0.0.0.0", 0));
        try {
            Object connected = outcome(loop.createConnection(() -> new CollectingProtocol(1, false), "::1", port(v4)), 5);
            if (connected instanceof Connection<?> connection) {
                connection.transport().close();
                fail("a server asked for 0.0.0.0 (IPv4) accepted a connection to [::1] on port " + port(v4)
                        + "; its sockets: " + v4.sockets());
            }
        } finally {
            v4.close();
        }
    }

    /**
     * A server with no host on a port taken on IPv4: asyncio binds ('0.0.0.0', P) first (getaddrinfo(None,
     * P, AI_PASSIVE) lists it first) and says "error while attempting to bind on address ('0.0.0.0', P):
     * address already in use". The epoll loop, which binds "::" for all interfaces, named that (an outside review).
     */
    @Test
    public void aServerWithNoHostOnAPortTakenNamesTheAddressAsAsyncio() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(new InetSocketAddress(java.net.InetAddress.getByName("0.0.0.0"), 0));
            int port = taken.getLocalPort();
            CompletableFuture<Object> settled = loop.createServer(() -> new Protocol() { }, null, port)
                    .toCompletableFuture().handle((ok, failed) -> failed == null ? ok : dev.loopkit.loop.core.Networks.unwrap(failed));
            Object error = runFor(settled);
            assertTrue(String.valueOf(error), error instanceof Throwable);
            assertEquals("error while attempting to bind on address ('0.0.0.0', " + port + "): address already in use",
                    ((Throwable) error).getMessage());
        }
    }

    /**
     * asyncio's create_unix_server on a path that is a regular file: only a socket is removed as stale
     * (S_ISSOCK), so bind fails and asyncio says OSError(EADDRINUSE, f"Address {path!r} is already in use");
     * the file is left alone.
     */
    @Test
    public void aUnixServerOnARegularFileFailsInAsynciosWordsAndKeepsTheFile() throws Exception {
        org.junit.Assume.assumeTrue("this loop serves no Unix-domain sockets", servesUnixSockets());
        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("loopkit-file").resolve("data.txt");
        java.nio.file.Files.writeString(file, "precious");
        Object outcome;
        try {
            outcome = outcome(loop.createUnixServer(EchoProtocol::new, file), 5);
        } catch (RuntimeException thrown) {
            outcome = thrown;
        }
        if (outcome instanceof Server server) {
            server.close();
        }
        assertEquals("precious", java.nio.file.Files.readString(file));
        assertTrue(String.valueOf(outcome), outcome instanceof IOException);
        assertEquals("Address '" + file + "' is already in use", ((Throwable) outcome).getMessage());
    }

    /**
     * A Unix path longer than sun_path holds fails a server and a connection alike in asyncio's words
     * (the socket module's OSError('AF_UNIX path too long')). The loops said it three ways, none of them
     * asyncio's: "Unix domain path too long", "Connect call failed '...': Unix domain path too long",
     * "AF_UNIX path too long: <path>" (an outside review).
     */
    @Test
    public void aUnixPathTooLongFailsAServerAndAConnectionInAsynciosWords() throws Exception {
        org.junit.Assume.assumeTrue("this loop serves no Unix-domain sockets", servesUnixSockets());
        java.nio.file.Path path = java.nio.file.Files.createTempDirectory("loopkit-long").resolve("x".repeat(150) + ".sock");
        Map<Integer, String> before = Leaks.openFds();
        for (boolean server : new boolean[] {true, false}) {
            Object outcome = outcome(server ? loop.createUnixServer(EchoProtocol::new, path)
                    : loop.createUnixConnection(() -> new CollectingProtocol(1, false), path), 5);
            assertTrue(String.valueOf(outcome), outcome instanceof IOException);
            assertEquals("AF_UNIX path too long", ((Throwable) outcome).getMessage());
        }
        assertEquals(Map.of(), Leaks.newFds(before));
    }

    /**
     * A Unix connect fails at once, and asyncio's sock_connect passes the error on as it is ("No such file
     * or directory", "Connection refused"): "Connect call failed" is its words for a TCP connect that
     * failed after EINPROGRESS only. The loops added them to the Unix errors too (an outside review).
     */
    @Test
    public void aUnixConnectionToAMissingPathOrARegularFileFailsWithTheSystemsWords() throws Exception {
        org.junit.Assume.assumeTrue("this loop serves no Unix-domain sockets", servesUnixSockets());
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("loopkit-unix");
        java.nio.file.Path regular = java.nio.file.Files.writeString(dir.resolve("regular"), "x");
        Map<Integer, String> before = Leaks.openFds();
        for (Map.Entry<java.nio.file.Path, String> to : Map.of(dir.resolve("missing.sock"), "No such file or directory",
                regular, "Connection refused").entrySet()) {
            Object outcome = outcome(loop.createUnixConnection(() -> new CollectingProtocol(1, false), to.getKey()), 5);
            assertTrue(String.valueOf(outcome), outcome instanceof IOException);
            assertEquals(to.getValue(), ((Throwable) outcome).getMessage());
        }
        assertEquals(Map.of(), Leaks.newFds(before));
    }

    /** asyncio's sock_sendfile: "the socket must be non-blocking" (ValueError) before anything, an empty file too. */
    @Test
    public void sockSendfileOnABlockingSocketIsRefused() throws Exception {
        org.junit.Assume.assumeTrue("this loop's sock* operations take no blocking SocketChannel", sockOperationsTakeSocketChannels());
        java.nio.file.Path file = java.nio.file.Files.createTempFile("loopkit", ".bin");
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(LOCALHOST, 0));
            try (SocketChannel blocking = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel peer = listener.accept();
                    java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
                Object outcome;
                try {
                    outcome = outcome(loop.sockSendfile(blocking, channel, 0, null), 5);
                } catch (RuntimeException thrown) {
                    outcome = thrown;
                }
                assertTrue("asyncio: ValueError('the socket must be non-blocking'); here: " + outcome,
                        outcome instanceof IllegalArgumentException e && "the socket must be non-blocking".equals(e.getMessage()));
            }
        }
    }

    // ---- sock_connect --------------------------------------------------------------------------------------

    /**
     * asyncio's sock_connect resolves the address ({@code _ensure_resolved}) before connecting; an
     * unresolved {@link InetSocketAddress} (here even an IP literal) is the Java spelling of ('127.0.0.1', port).
     */
    @Test
    public void sockConnectToAnUnresolvedAddressResolvesIt() throws Exception {
        NetworkChannel listener = openListeningSocket();
        int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        NetworkChannel client = openStreamSocket();
        CompletableFuture<NetworkChannel> accepted = loop.sockAccept(listener).toCompletableFuture();
        try {
            Object connected;
            try {
                connected = outcome(loop.sockConnect(client, InetSocketAddress.createUnresolved(LOCALHOST, port)), 5);
            } catch (RuntimeException thrown) {
                connected = "thrown by sockConnect: " + thrown;
            }
            assertNull("asyncio resolves the address; here: " + connected, connected);
            runFor(accepted).close();
        } finally {
            client.close();
            listener.close();
        }
    }
}
