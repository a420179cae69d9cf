package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.loopkit.api.Connection;
import dev.loopkit.api.ConnectionOptions;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.Test;
import org.junit.function.ThrowingRunnable;

/**
 * The network contract for readiness-based loops (the selector and the epoll loop), and what only
 * they offer: Unix-domain sockets, readers on JDK channels, and {@code sock*} on non-blocking
 * {@code SocketChannel}s.
 */
public abstract class ReadinessNetworkContract extends NetworkContract {

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        SocketChannel socket = SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
    }

    @Override
    protected NetworkChannel openListeningSocket() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(LOCALHOST, 0));
        listener.configureBlocking(false);
        return listener;
    }

    /**
     * A reader that closes its socket and removes the socket's writer, both ready in the same
     * iteration: the writer must not run. asyncio's selector still finds a closed socket's key
     * ({@code _fileobj_lookup}'s exhaustive search), and {@code remove_writer} cancels the handle and
     * returns {@code True}. Before, the removal returned false once the key was cancelled, and the
     * writer ran on the closed socket.
     */
    @Test
    public void removingTheOtherCallbackOfASocketJustClosedCancelsIt() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(LOCALHOST, 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            try (SocketChannel peer = server.accept()) {
                peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3})); // the client is readable, and writable anyway
                client.configureBlocking(false);
                List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
                loop.addReader(client, () -> closeAndRemoveTheOther(client, events, "reader", () -> loop.removeWriter(client)));
                loop.addWriter(client, () -> closeAndRemoveTheOther(client, events, "writer", () -> loop.removeReader(client)));
                CompletableFuture<Void> later = new CompletableFuture<>();
                loop.callLater(0.3, () -> later.complete(null));
                runFor(later);
                assertEquals(events.toString(), 1, events.size());
                assertTrue(events.toString(), events.get(0).endsWith("returned true"));
            } finally {
                client.close();
            }
        }
    }

    private static void closeAndRemoveTheOther(SocketChannel channel, List<String> events, String self,
            java.util.function.BooleanSupplier removeTheOther) {
        if (!events.isEmpty()) {
            events.add(self + " ran after its removal");
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        events.add(self + " closed the socket; removing the other returned " + removeTheOther.getAsBoolean());
    }

    /** asyncio's {@code create_unix_server}: {@code except: sock.close(); raise}; the epoll loop leaked its socket. */
    @Test
    public void aUnixServerPathTooLongFailsAndLeaksNoDescriptor() throws Exception {
        Path dir = Files.createTempDirectory("loopkit-long");
        Path path = dir.resolve("x".repeat(150) + ".sock");
        Map<Integer, String> before = Leaks.openFds();
        Throwable failure = null;
        try {
            CompletionStage<Server> stage = loop.createUnixServer(EchoProtocol::new, path);
            try {
                runFor(stage);
                fail("a server on a path too long");
            } catch (RuntimeException e) {
                failure = e;
            }
        } catch (RuntimeException thrownAtOnce) {
            failure = thrownAtOnce;
        }
        assertNotNull(failure);
        assertEquals("descriptors left open by the failed create_unix_server (" + failure + ")", Map.of(), Leaks.newFds(before));
    }

    /** asyncio: sock.connect raises OSError("AF_UNIX path too long") and create_unix_connection closes the socket. */

    /** The same for {@code create_unix_connection}. */
    @Test
    public void aUnixConnectionPathTooLongFailsAndLeaksNoDescriptor() throws Exception {
        Path dir = Files.createTempDirectory("loopkit-long");
        Path path = dir.resolve("x".repeat(150) + ".sock");
        Map<Integer, String> before = Leaks.openFds();
        Throwable failure = null;
        try {
            CompletionStage<Connection<CollectingProtocol>> stage =
                    loop.createUnixConnection(() -> new CollectingProtocol(1, false), path);
            try {
                runFor(stage);
                fail("a connection to a path too long");
            } catch (RuntimeException e) {
                failure = e;
            }
        } catch (RuntimeException thrownAtOnce) {
            failure = thrownAtOnce;
        }
        assertNotNull(failure);
        assertEquals("descriptors left open by the failed create_unix_connection (" + failure + ")", Map.of(), Leaks.newFds(before));
    }

    /**
     * A Unix-domain connection to a socket file nobody listens on any more: asyncio's
     * {@code ConnectionRefusedError}, the JDK's {@code ConnectException} on every loop (a client retrying
     * until its server is up catches it). The epoll loop said its own {@code PosixException} (the network review).
     */
    @Test
    public void aUnixConnectionToAStaleSocketIsRefusedWithTheJdksException() throws Exception {
        Path path = Files.createTempDirectory("loopkit-stale").resolve("gone.sock");
        try (java.nio.channels.ServerSocketChannel bound = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            bound.bind(java.net.UnixDomainSocketAddress.of(path)); // closed: the file stays, nobody listens
        }
        try {
            Throwable failed = assertThrows(RuntimeException.class,
                    () -> runFor(loop.createUnixConnection(() -> new CollectingProtocol(1, false), path)));
            Throwable cause = failed instanceof java.util.concurrent.CompletionException ? failed.getCause() : failed;
            assertTrue(String.valueOf(cause), cause instanceof ConnectException);
            assertEquals("Connection refused", cause.getMessage());
        } finally {
            Files.deleteIfExists(path);
            Files.delete(path.getParent());
        }
    }

    /**
     * asyncio's {@code create_unix_server} looks at the path with {@code os.stat}, which follows a symbolic
     * link: a link to a stale socket (a run directory linked elsewhere, after a crash) is removed and the
     * server binds. Looked at without following the link, the server failed "already in use" (the network review).
     */
    @Test
    public void aUnixServerOnALinkToAStaleSocketBinds() throws Exception {
        Path dir = Files.createTempDirectory("loopkit-link");
        Path stale = dir.resolve("s.sock");
        Path link = dir.resolve("link.sock");
        try (java.nio.channels.ServerSocketChannel bound = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            bound.bind(java.net.UnixDomainSocketAddress.of(stale));
        }
        Files.createSymbolicLink(link, stale);
        try {
            Server server = runFor(loop.createUnixServer(() -> new CollectingProtocol(1, false), link));
            server.close();
            runFor(server.waitClosed());
        } finally {
            Files.deleteIfExists(link);
            Files.deleteIfExists(stale);
            Files.delete(dir);
        }
    }

    /** asyncio removes a stale path only if it is a socket ({@code S_ISSOCK}); a FIFO was deleted and bound over. */
    @Test
    public void aUnixServerOnAFifoDoesNotDeleteTheFifo() throws Exception {
        Path dir = Files.createTempDirectory("loopkit-fifo");
        Path fifo = dir.resolve("a.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
        assertTrue(Files.exists(fifo));
        Server server = null;
        try {
            server = runFor(loop.createUnixServer(EchoProtocol::new, fifo));
        } catch (RuntimeException expected) {
            // asyncio: OSError EADDRINUSE
        }
        int mode = (Integer) Files.getAttribute(fifo, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        boolean stillAFifo = (mode & 0170000) == 0010000;
        boolean served = server != null;
        if (server != null) {
            server.close();
        }
        assertTrue("the user's FIFO was deleted by createUnixServer (a server took its path: " + served
                + ", mode now " + Integer.toOctalString(mode) + ")", stillAFifo);
    }

    /**
     * asyncio 3.13 removes a Unix server's socket file at close only if it is still its own:
     * "if os.stat(path).st_ino == prev_ino: os.unlink(path)" (3.12 never removes it). A second server
     * that took over the path (removing the first's file as stale) keeps its file when the first closes.
     */

    /**
     * asyncio 3.13 unlinks the socket file on close only if it is still the server's own ({@code st_ino});
     * closing the first server deleted the file of a second one that took over the path.
     */
    @Test
    public void closingAUnixServerLeavesTheFileOfTheServerThatTookOverItsPath() throws Exception {
        Path path = Files.createTempDirectory("loopkit-unix").resolve("s.sock");
        Server first = runFor(loop.createUnixServer(EchoProtocol::new, path));
        Server second = runFor(loop.createUnixServer(EchoProtocol::new, path));
        first.close();
        runFor(first.waitClosed());
        try {
            assertTrue("closing the first server removed the second server's socket file", Files.exists(path));
            Connection<CollectingProtocol> c = runFor(loop.createUnixConnection(() -> new CollectingProtocol(1, false), path));
            c.transport().close();
        } finally {
            second.close();
        }
    }

    /**
     * asyncio's server passes the address accept() returned: "extra={'peername': addr}"
     * (_accept_connection2), so a connection the peer reset before it was accepted still names its peer.
     */

    @Test
    public void unixDomainSocketsEcho() throws Exception {
        Path path = Files.createTempDirectory("loopkit-unix").resolve("echo.sock");
        Server server = runFor(loop.createUnixServer(EchoProtocol::new, path));
        assertTrue(Files.exists(path));
        byte[] message = randomBytes(100_000, 3);
        CollectingProtocol client = new CollectingProtocol(message.length, false);
        Connection<CollectingProtocol> connection = runFor(loop.createUnixConnection(() -> client, path));
        connection.transport().write(message);
        assertArrayEquals(message, runFor(client.all));
        connection.transport().close();
        server.close();
        runFor(server.waitClosed());
        assertFalse("the socket file is removed with the server", Files.exists(path));
    }

    /** asyncio's {@code _SelectorSocketTransport.writelines} refuses in its own words, not {@code write()}'s (an outside review). */
    @Test
    public void writelinesAfterWriteEofIsRefusedInItsOwnWords() {
        Server server = echoServer();
        Connection<CollectingProtocol> connection = runFor(loop.createConnection(
                () -> new CollectingProtocol(Integer.MAX_VALUE, false), LOCALHOST, port(server)));
        connection.transport().writeEof();
        assertEquals("Cannot call writelines() after write_eof()", assertThrows(IllegalStateException.class,
                () -> connection.transport().writelines(List.of(ByteBuffer.allocate(1)))).getMessage());
        connection.transport().abort();
        server.close();
    }

    /** {@code aTransportAbortedWithBytesItNeverReadResetsThePeer} over a Unix-domain socket. */
    @Test
    public void aUnixTransportAbortedWithBytesItNeverReadResetsThePeer() throws Exception {
        Path path = Files.createTempDirectory("loopkit-unix").resolve("abort.sock");
        CompletableFuture<Transport> paused = new CompletableFuture<>();
        Server server = runFor(loop.createUnixServer(() -> new PausingEcho(paused), path));
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            assertAbortingResets(paused, client);
        }
        server.close();
        runFor(server.waitClosed());
    }

    @Test
    public void sockAcceptGivesNonBlockingChannelsAndBlockingOnesAreRefused() throws Exception {
        ServerSocketChannel listener = (ServerSocketChannel) openListeningSocket();
        SocketChannel client = (SocketChannel) openStreamSocket();
        var accepted = loop.sockAccept(listener).toCompletableFuture();
        runFor(loop.sockConnect(client, listener.getLocalAddress()));
        assertFalse(((SocketChannel) runFor(accepted)).isBlocking());
        runFor(accepted).close();
        client.close();
        listener.close();
        SocketChannel blocking = SocketChannel.open();
        assertEquals("the socket must be non-blocking",
                assertThrows(IllegalArgumentException.class, () -> loop.sockRecv(blocking, ByteBuffer.allocate(1))).getMessage());
        blocking.close();
    }

    @Test
    public void readersOnChannelsRefuseBadChannels() throws Exception {
        SocketChannel channel = SocketChannel.open();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> loop.addReader(channel, () -> { }))
                .getMessage().startsWith("the channel must be non-blocking"));
        channel.configureBlocking(false);
        assertThrows(NullPointerException.class, () -> loop.addReader(channel, null));
        assertFalse(loop.removeReader(channel));
        loop.addReader(channel, () -> { });
        assertTrue(loop.removeReader(channel));
        assertFalse(loop.removeReader(channel));
        channel.close();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> loop.addReader(channel, () -> { }))
                .getMessage().startsWith("Invalid file descriptor"));
    }

    // ---- sock* and the caller's own readers and writers on the same socket --------------------------------

    /** A connected pair: the loop's non-blocking {@code client} and the blocking {@code peer} the listener accepted. */
    private final class Pair implements AutoCloseable {
        final ServerSocketChannel listener = ServerSocketChannel.open();
        final SocketChannel client = SocketChannel.open();
        final SocketChannel peer;

        Pair() throws IOException {
            listener.bind(new InetSocketAddress(LOCALHOST, 0));
            client.configureBlocking(false);
            runFor(loop.sockConnect(client, listener.getLocalAddress()));
            peer = listener.accept();
        }

        @Override
        public void close() throws IOException {
            peer.close();
            client.close();
            listener.close();
        }
    }

    /** Completes after the callbacks scheduled now (a finished operation's clean-up) have run. */
    private CompletionStage<Void> quietTurn() {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        loop.callSoon(() -> loop.callSoon(() -> turn.complete(null)));
        return turn;
    }

    /**
     * The caller's reader (or writer) on {@code channel}, added while {@code operation} waits on it and
     * so replacing the operation's own (asyncio's {@code add_reader} cancels the handle it replaces),
     * is still called once {@code makeReady} makes the channel ready, after the operation is
     * cancelled, with {@code cancelFirst} before or after the caller adds its own: the operation's
     * clean-up removes the reader only while it is its own, as asyncio's {@code _sock_read_done} and
     * {@code _sock_write_done} check the handle. The caller's callback removes itself: nothing is left.
     */
    private void callersCallbackOutlivesTheCancelledOperation(LoopFuture<?> operation, SelectableChannel channel,
            boolean reader, boolean cancelFirst, ThrowingRunnable makeReady) throws Throwable {
        assertFalse("the operation waits", operation.isDone());
        CompletableFuture<Boolean> called = new CompletableFuture<>();
        Runnable callers = () -> called.complete(reader ? loop.removeReader(channel) : loop.removeWriter(channel));
        if (cancelFirst) {
            assertTrue(operation.cancel(false));
        }
        if (reader) {
            loop.addReader(channel, callers);
        } else {
            loop.addWriter(channel, callers);
        }
        if (!cancelFirst) {
            assertTrue(operation.cancel(false));
        }
        runFor(quietTurn()); // the operation's clean-up has run
        makeReady.run();
        assertTrue("the caller's callback removed itself", runFor(called));
        assertFalse(loop.removeReader(channel));
        assertFalse(loop.removeWriter(channel));
    }

    @Test
    public void aReaderAddedWhileSockRecvWaitsIsCalledOnceTheRecvIsCancelled() throws Throwable {
        try (Pair pair = new Pair()) {
            for (boolean cancelFirst : new boolean[] {false, true}) {
                ByteBuffer into = ByteBuffer.allocate(10);
                callersCallbackOutlivesTheCancelledOperation(loop.sockRecv(pair.client, into), pair.client, true,
                        cancelFirst, () -> pair.peer.write(ByteBuffer.wrap(new byte[] {1})));
                assertEquals("the recv read nothing", 0, into.position());
                assertEquals(1, pair.client.read(into));
            }
        }
    }

    @Test
    public void aReaderAddedWhileSockAcceptWaitsIsCalledOnceTheAcceptIsCancelled() throws Throwable {
        try (ServerSocketChannel listener = (ServerSocketChannel) openListeningSocket(); SocketChannel client = SocketChannel.open()) {
            callersCallbackOutlivesTheCancelledOperation(loop.sockAccept(listener), listener, true, false,
                    () -> client.connect(listener.getLocalAddress()));
            try (SocketChannel accepted = listener.accept()) {
                assertTrue("the accept took no connection", accepted != null);
            }
        }
    }

    @Test
    public void aWriterAddedWhileSockSendallWaitsIsCalledOnceTheSendallIsCancelled() throws Throwable {
        try (ServerSocketChannel listener = ServerSocketChannel.open(); SocketChannel client = SocketChannel.open()) {
            listener.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            listener.bind(new InetSocketAddress(LOCALHOST, 0));
            client.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            client.configureBlocking(false);
            runFor(loop.sockConnect(client, listener.getLocalAddress()));
            SocketChannel peer = listener.accept();
            LoopFuture<Void> sending = loop.sockSendall(client, ByteBuffer.allocate(8 * 1024 * 1024)); // fills the socket
            Thread reading = new Thread(() -> {
                ByteBuffer drain = ByteBuffer.allocate(64 * 1024);
                try {
                    while (peer.read(drain.clear()) >= 0) {
                        // what the sendall sent before it was cancelled
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "test-peer-reader");
            try {
                callersCallbackOutlivesTheCancelledOperation(sending, client, false, false, reading::start);
            } finally {
                peer.close();
                client.close();
                reading.join(10_000);
            }
        }
    }

    @Test
    public void aWriterAddedWhileSockConnectWaitsIsCalledOnceTheConnectIsCancelled() throws Throwable {
        try (ServerSocketChannel listener = ServerSocketChannel.open(); SocketChannel client = SocketChannel.open()) {
            listener.bind(new InetSocketAddress(LOCALHOST, 0));
            client.configureBlocking(false);
            // a non-blocking connect, even over loopback, is in progress when connect() returns
            callersCallbackOutlivesTheCancelledOperation(loop.sockConnect(client, listener.getLocalAddress()), client, false,
                    false, () -> { });
            listener.accept().close();
        }
    }

    /**
     * A server socket the user closes after its {@code sockAccept}, while another channel is watched,
     * stops listening: a client is refused, as asyncio's {@code sock.close()} refuses it. The JDK closes
     * a channel still registered with a selector only when that selector deregisters it, and the epoll
     * loop's helper selector waited with the listener registered for as long as the other channel
     * was watched: clients still connected, and the port could not be bound again (an outside review).
     * The same for a {@code sockRecv}'s socket and its peer's end of stream.
     */
    @Test
    public void aChannelClosedAfterItsSockOperationIsClosedWhileAnotherIsWatched() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel other = pipe.source(); Pipe.SinkChannel unused = pipe.sink()) {
            other.configureBlocking(false);
            loop.addReader(other, () -> { });
            ServerSocketChannel listener = (ServerSocketChannel) openListeningSocket();
            InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
            LoopFuture<NetworkChannel> accepting = loop.sockAccept(listener); // waits: watched until a client comes
            runFor(quietTurn());
            SocketChannel client = SocketChannel.open(address);
            SocketChannel accepted = (SocketChannel) runFor(accepting);
            runFor(quietTurn()); // the accept's clean-up has run: the listener is no longer watched
            listener.close();
            runFor(quietTurn());
            assertThrows("a client of the closed server", ConnectException.class, () -> SocketChannel.open(address).close());
            LoopFuture<Integer> receiving = loop.sockRecv(accepted, ByteBuffer.allocate(1)); // waits too
            runFor(quietTurn());
            client.write(ByteBuffer.wrap(new byte[] {7}));
            assertEquals(Integer.valueOf(1), runFor(receiving));
            runFor(quietTurn());
            accepted.close();
            runFor(quietTurn());
            client.configureBlocking(true);
            assertEquals("the peer of the closed socket reads its end", -1, client.read(ByteBuffer.allocate(1)));
            client.close();
            loop.removeReader(other);
        }
    }

    /** Each operation removes its own reader or writer once done, when nobody replaced it: nothing is left watched. */
    @Test
    public void sockOperationsLeaveNoReaderOrWriterBehind() throws Exception {
        try (ServerSocketChannel listener = (ServerSocketChannel) openListeningSocket(); SocketChannel client = SocketChannel.open()) {
            client.configureBlocking(false);
            LoopFuture<NetworkChannel> accepting = loop.sockAccept(listener); // waits for a connection
            LoopFuture<Void> connecting = loop.sockConnect(client, listener.getLocalAddress()); // in progress
            assertFalse(accepting.isDone() || connecting.isDone());
            runFor(connecting);
            try (SocketChannel accepted = (SocketChannel) runFor(accepting)) {
                LoopFuture<Integer> receiving = loop.sockRecv(accepted, ByteBuffer.allocate(10)); // nothing sent yet
                assertFalse(receiving.isDone());
                runFor(loop.sockSendall(client, ByteBuffer.wrap(new byte[] {1, 2, 3})));
                assertEquals(Integer.valueOf(3), runFor(receiving));
                LoopFuture<Integer> cancelled = loop.sockRecv(accepted, ByteBuffer.allocate(10));
                assertTrue(cancelled.cancel(false));
                runFor(quietTurn());
                assertFalse("the listener's reader", loop.removeReader(listener));
                assertFalse("the client's writer", loop.removeWriter(client));
                assertFalse("the accepted socket's reader", loop.removeReader(accepted));
            }
        }
    }

    /**
     * A reader the caller adds in the turn a {@code sockRecv} completes, before the recv's clean-up
     * runs (its done callbacks come at the next turn, as asyncio's), is called once more data comes:
     * here a writer on the same socket, scheduled right after the recv's reader, adds it. The clean-up
     * removed the socket's reader whoever had registered it.
     */
    @Test
    public void aReaderAddedInTheTurnSockRecvCompletesIsCalled() throws Exception {
        try (Pair pair = new Pair()) {
            LoopFuture<Integer> receiving = loop.sockRecv(pair.client, ByteBuffer.allocate(10));
            assertFalse(receiving.isDone());
            pair.peer.write(ByteBuffer.wrap(new byte[] {1})); // readable at the next select, and writable as ever
            CompletableFuture<Boolean> called = new CompletableFuture<>();
            loop.addWriter(pair.client, () -> {
                if (!receiving.isDone()) {
                    return;
                }
                loop.removeWriter(pair.client);
                loop.addReader(pair.client, () -> called.complete(loop.removeReader(pair.client)));
                try {
                    pair.peer.write(ByteBuffer.wrap(new byte[] {2}));
                } catch (IOException e) {
                    called.completeExceptionally(e);
                }
            });
            assertTrue("the caller's reader removed itself", runFor(called));
            assertEquals(Integer.valueOf(1), runFor(receiving));
            assertFalse(loop.removeReader(pair.client));
        }
    }

    // ---- a socket a transport uses: asyncio's _ensure_fd_no_transport ------------------------------------

    /**
     * The {@code sock*} operations and the public readers and writers refuse a socket a transport uses
     * while it is not closing, in asyncio's words (its {@code RuntimeError}): a {@code sockRecv} took the
     * transport's reader, and once it was cancelled the transport never heard of data again. Refused,
     * the transport keeps receiving.
     */
    @Test
    public void aSocketATransportUsesIsRefusedToSockOperationsAndReadersInAsynciosWords() throws Exception {
        Path file = Files.createTempFile("loopkit-sendfile", ".bin");
        try (Pair pair = new Pair(); FileChannel data = FileChannel.open(file)) {
            CollectingProtocol protocol = new CollectingProtocol(3, false);
            Transport transport = runFor(loop.connectAcceptedSocket(() -> protocol, pair.client, ConnectionOptions.defaults())).transport();
            String expected = "File descriptor " + pair.client + " is used by transport " + transport;
            List<ThrowingRunnable> uses = List.of(
                    () -> loop.sockRecv(pair.client, ByteBuffer.allocate(10)),
                    () -> loop.sockSendall(pair.client, ByteBuffer.allocate(10)),
                    () -> loop.sockConnect(pair.client, pair.listener.getLocalAddress()),
                    () -> loop.sockSendfile(pair.client, data, 0, null),
                    () -> loop.addReader(pair.client, () -> { }),
                    () -> loop.removeReader(pair.client),
                    () -> loop.addWriter(pair.client, () -> { }),
                    () -> loop.removeWriter(pair.client));
            for (ThrowingRunnable use : uses) {
                assertEquals(expected, assertThrows(IllegalStateException.class, use).getMessage());
            }
            pair.peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertArrayEquals("the transport still reads its socket", new byte[] {1, 2, 3}, runFor(protocol.all));
        } finally {
            Files.delete(file);
        }
    }

    /**
     * {@code connectAcceptedSocket} refuses a socket another transport uses, as asyncio's
     * {@code _make_socket_transport} does: the second transport took the first's reader, and the first
     * never heard of its socket again.
     */
    @Test
    public void aSecondTransportOnASocketIsRefusedInAsynciosWords() throws Exception {
        try (Pair pair = new Pair()) {
            CollectingProtocol protocol = new CollectingProtocol(1, false);
            Transport transport = runFor(loop.connectAcceptedSocket(() -> protocol, pair.client,
                    ConnectionOptions.defaults())).transport();
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> loop.connectAcceptedSocket(() -> new CollectingProtocol(1, false), pair.client,
                            ConnectionOptions.defaults()));
            assertEquals("File descriptor " + pair.client + " is used by transport " + transport, refused.getMessage());
            pair.peer.write(ByteBuffer.wrap(new byte[] {9}));
            assertArrayEquals("the first transport still reads its socket", new byte[] {9}, runFor(protocol.all));
        }
    }

    /** Once the transport is closing, asyncio lets the socket be used again: nothing is refused. */
    @Test
    public void aSocketIsNoLongerRefusedOnceItsTransportIsClosing() throws Exception {
        try (Pair pair = new Pair()) {
            Transport transport = runFor(loop.connectAcceptedSocket(() -> new CollectingProtocol(1, false), pair.client,
                    ConnectionOptions.defaults())).transport();
            transport.close(); // its connectionLost, which closes the socket, runs at the next iteration
            assertTrue(transport.isClosing());
            loop.addReader(pair.client, () -> { });
            assertTrue(loop.removeReader(pair.client));
            loop.addWriter(pair.client, () -> { });
            assertTrue(loop.removeWriter(pair.client));
            LoopFuture<Integer> receiving = loop.sockRecv(pair.client, ByteBuffer.allocate(10));
            assertFalse(receiving.isDone());
            assertTrue(receiving.cancel(false));
            runFor(quietTurn());
            assertFalse("the loop forgets the socket once the connection is lost", loop.transportUsing(pair.client).isPresent());
        }
    }

    // ---- sock* cancelled (an outside review): the proactor's cancel closes the socket, NIO.2 cannot withdraw a pending read or write
    /** A cancelled sockRecv takes no bytes: a later sockRecv gets what the peer sends after the cancel. */
    @Test
    public void aCancelledSockRecvTakesNothingFromTheNextOne() throws Exception {
        NetworkChannel[] pair = connectedPair();
        LoopFuture<Integer> first = loop.sockRecv(pair[1], ByteBuffer.allocate(10));
        runFor(turns(3));
        assertTrue(first.cancel(false));
        runFor(turns(3));
        ByteBuffer into = ByteBuffer.allocate(10);
        LoopFuture<Integer> second;
        try {
            second = loop.sockRecv(pair[1], into);
        } catch (RuntimeException e) {
            throw new AssertionError("the socket is unusable after a cancelled sockRecv: " + e, e);
        }
        runFor(loop.sockSendall(pair[0], ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII))));
        Integer read;
        try {
            read = runFor(second);
        } catch (RuntimeException e) {
            throw new AssertionError("the sockRecv after a cancelled one failed: " + e, e);
        }
        assertEquals(Integer.valueOf(5), read);
        pair[0].close();
        pair[1].close();
    }

    /** Cancelling a sockSendall of a big buffer to a peer that does not read, then sending more: the stream stays consistent. */
    @Test
    public void sockSendallCancelledMidBufferLeavesTheSocketUsable() throws Exception {
        NetworkChannel[] pair = connectedPair();
        byte[] big = randomBytes(32 * 1024 * 1024, 9);
        ByteBuffer data = ByteBuffer.wrap(big);
        LoopFuture<Void> sending = loop.sockSendall(pair[0], data);
        runFor(sleep(0.2));
        assertFalse(sending.isDone());
        assertTrue(sending.cancel(false));
        runFor(turns(3));
        int sentBefore = data.position();
        LoopFuture<Void> tail;
        try {
            tail = loop.sockSendall(pair[0], ByteBuffer.wrap("TAIL".getBytes(StandardCharsets.US_ASCII)));
        } catch (RuntimeException e) {
            throw new AssertionError("the socket is unusable after a cancelled sockSendall: " + e, e);
        }
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ByteBuffer into = ByteBuffer.allocate(1024 * 1024);
        int expected = data.position() + 4;
        while (received.size() < expected) {
            into.clear();
            int read = runFor(loop.sockRecv(pair[1], into));
            if (read < 0) {
                break;
            }
            received.write(into.array(), 0, read);
        }
        runFor(tail);
        byte[] got = received.toByteArray();
        assertEquals("the position of the cancelled buffer is what went", data.position() + 4, got.length);
        assertArrayEquals(Arrays.copyOf(big, data.position()), Arrays.copyOf(got, data.position()));
        assertEquals("TAIL", new String(got, data.position(), 4, StandardCharsets.US_ASCII));
        pair[0].close();
        pair[1].close();
    }

    /**
     * asyncio's {@code stop(); run_forever()} runs one iteration, and {@code _run_once} always polls
     * the selector (with timeout 0 when stopping): a reader whose channel is readable runs in that
     * iteration. A program that drives the loop an iteration at a time (or stops it and closes it)
     * must see readiness; here three such iterations at most.
     */
    @Test
    public void aSingleIterationRunPicksUpReadiness() throws Exception {
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        try {
            pipe.source().configureBlocking(false);
            pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            int[] ran = {0};
            loop.addReader(pipe.source(), () -> {
                ran[0]++;
                loop.removeReader(pipe.source());
            });
            int iterations = singleIterationsUntil(() -> ran[0] > 0);
            assertEquals("the reader of a readable channel ran after " + iterations + " single iterations", 1, ran[0]);
            assertTrue("single iterations needed: " + iterations, iterations <= 3);
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    /**
     * As aSingleIterationRunPicksUpReadiness, for a reader of a raw descriptor (the epoll
     * loop's own epoll set; the selector loop's FdPoller).
     */
    @Test
    public void aSingleIterationRunPicksUpReadinessOfARawDescriptor() throws Exception {
        org.junit.Assume.assumeTrue("raw descriptors need the posix module (JNR, Linux)", dev.loopkit.posix.Posix.isAvailable());
        dev.loopkit.posix.Posix posix = dev.loopkit.posix.Posix.get();
        int[] pipe = posix.pipe();
        try {
            posix.write(pipe[1], ByteBuffer.wrap(new byte[] {1}));
            int[] ran = {0};
            loop.addReader(pipe[0], () -> {
                ran[0]++;
                loop.removeReader(pipe[0]);
            });
            int iterations = singleIterationsUntil(() -> ran[0] > 0);
            assertEquals("the reader of a readable descriptor ran after " + iterations + " single iterations", 1, ran[0]);
            assertTrue("single iterations needed: " + iterations, iterations <= 3);
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }

    /**
     * asyncio's own test helper {@code test_utils.run_once}, {@code loop.call_soon(loop.stop);
     * loop.run_forever()}: each run is one iteration, whose select (timeout 0) sees what is readable, so
     * a byte the peer wrote before a run reaches {@code data_received} in that run. The loops skipped the
     * select of an iteration after one that ran callbacks, for up to 64 callbacks (the skip for callback
     * storms): the stop callback of each run counted as one, and the second byte came 63 runs late (an
     * outside review). Three bytes, one after the other, each within two runs.
     */
    @Test
    public void runOnceAsAsynciosTestHelperDoesPicksUpReadinessInTheNextRun() throws Exception {
        CollectingProtocol client = new CollectingProtocol(3, false);
        try (UnixPair pair = unixPair(client)) {
            List<Integer> runs = new java.util.ArrayList<>();
            for (int b = 1; b <= 3; b++) {
                pair.send(b);
                int expected = b;
                int run = 0;
                while (client.received.size() < expected && run < 200) {
                    loop.callSoon(loop::stop);
                    loop.runForever();
                    run++;
                }
                runs.add(run);
            }
            assertEquals("bytes received", 3, client.received.size());
            assertTrue("runs until each byte was delivered (asyncio: 1 each): " + runs, runs.stream().allMatch(run -> run <= 2));
        }
    }

    /**
     * A callback that schedules itself for ever, and a connection whose peer sends a byte from inside
     * that storm, on the loop thread, right after the iteration that delivered the byte before: the loop
     * serves it within 64 callbacks (ASYNCIO-DIFFERENCES, "The loop's iteration"; asyncio within one, at
     * a system call an iteration). The count is lined up by the first byte, so the bound is exact, not luck.
     */
    @Test
    public void aSocketReadableDuringACallbackStormIsServedWithin64Callbacks() throws Exception {
        int[] iteration = {0};
        int[] sentAt = {-1};
        List<Integer> receivedAt = new java.util.ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        UnixPair[] pair = new UnixPair[1];
        CollectingProtocol client = new CollectingProtocol(2, false) {
            @Override
            public void dataReceived(ByteBuffer data) {
                super.dataReceived(data);
                receivedAt.add(iteration[0]);
                if (receivedAt.size() == 1) {
                    sentAt[0] = iteration[0]; // the poll that found the first byte just ran
                    pair[0].send(2);
                } else {
                    done.complete(null);
                }
            }
        };
        try (UnixPair made = unixPair(client)) {
            pair[0] = made;
            Runnable[] storm = new Runnable[1];
            storm[0] = () -> {
                if (++iteration[0] == 1) {
                    made.send(1);
                }
                if (done.isDone()) {
                    return;
                }
                if (iteration[0] < 100_000) {
                    loop.callSoon(storm[0]);
                } else {
                    done.completeExceptionally(new AssertionError("no data within 100,000 iterations: " + receivedAt));
                }
            };
            loop.callSoon(storm[0]);
            runFor(done);
            int delay = receivedAt.get(1) - sentAt[0];
            assertTrue("storm callbacks between a byte being readable and dataReceived: " + delay + "; received at "
                    + receivedAt, delay <= 64 + 1);
        }
    }

    /**
     * A Unix-domain connection of the loop's ({@code createUnixConnection}) and the peer's end, a blocking
     * JDK channel. A byte the peer sends is in the loop socket's receive queue when {@code send} returns
     * (the kernel queues it in the call, where TCP over loopback may hand it on later), so a test can count
     * the loop's iterations from there without waiting.
     */
    private record UnixPair(Connection<CollectingProtocol> connection, SocketChannel peer, Path path) implements AutoCloseable {
        void send(int b) {
            try {
                peer.write(ByteBuffer.wrap(new byte[] {(byte) b}));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            connection.transport().abort();
            peer.close();
            Files.deleteIfExists(path);
        }
    }

    private UnixPair unixPair(CollectingProtocol client) throws IOException {
        Path path = Files.createTempDirectory("loopkit-unix").resolve("peer.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            listener.bind(java.net.UnixDomainSocketAddress.of(path));
            Connection<CollectingProtocol> connection = runFor(loop.createUnixConnection(() -> client, path));
            return new UnixPair(connection, listener.accept(), path);
        }
    }
}
