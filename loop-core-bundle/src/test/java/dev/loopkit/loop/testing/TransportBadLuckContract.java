package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Connection;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import dev.loopkit.streams.IncompleteReadException;
import dev.loopkit.streams.LimitOverrunException;
import dev.loopkit.streams.StreamReader;
import dev.loopkit.streams.StreamWriter;
import dev.loopkit.streams.Streams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The streams and TCP transports with bad luck and bad input, each case with what asyncio does: an
 * outside review's, each of which failed (some on one loop only) before its fix. Errors from protocol
 * callbacks are handled as exceptions are (the loop's rule: all but the JVM's own); a pause and resume
 * inside a delivery keeps the bytes delivered; a connect given up leaves no socket. Run by a subclass
 * per loop.
 */
public abstract class TransportBadLuckContract extends TransportBadLuckSupport {

    /**
     * The data handed to {@code dataReceived} is valid during the call. A protocol that pauses and
     * resumes reading inside the call (a reader that sees its buffer drop below the limit at once,
     * as asyncio's StreamReader can) then reads {@code data}: it must still hold the bytes that came.
     * asyncio passes an immutable bytes object; what was received is what the protocol reads.
     */
    @Test
    public void pauseAndResumeInsideDataReceivedLeaveTheDataIntact() {
        byte[] hello = ascii("hello, world");
        Server server = greetingServer(hello);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        CompletableFuture<Void> enough = new CompletableFuture<>();
        Protocol client = new Protocol() {
            Transport transport;

            @Override
            public void connectionMade(Transport made) {
                transport = made;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                transport.pauseReading();
                transport.resumeReading();
                byte[] copy = new byte[data.remaining()];
                data.get(copy);
                got.writeBytes(copy);
                if (got.size() >= hello.length) {
                    enough.complete(null);
                }
            }
        };
        Connection<Protocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, port(server)));
        runFor(enough);
        sleepOnLoop(0.1);
        assertEquals(text(hello), got.toString(StandardCharsets.US_ASCII));
        connection.transport().abort();
        server.close();
    }

    /**
     * asyncio's {@code _read_ready__data_received} catches {@code BaseException} from
     * {@code data_received} (an {@code AssertionError} included): "Fatal error: protocol.data_received()
     * call failed." reaches the exception handler and the transport is force-closed, its protocol told
     * with {@code connection_lost(exc)}. A Java {@code AssertionError} (an {@code assert} in the
     * protocol) must not leave the connection open with nobody reading it.
     */
    @Test
    public void anAssertionErrorInDataReceivedClosesTheTransportAsAsyncioDoes() {
        recordReports();
        CompletableFuture<Exception> serverLost = new CompletableFuture<>();
        Server server = runFor(loop.createServer(() -> new EchoProtocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                throw new AssertionError("protocol invariant broken");
            }

            @Override
            public void connectionLost(Exception exc) {
                serverLost.complete(exc);
            }
        }, LOCALHOST, 0));
        CollectingProtocol client = new CollectingProtocol(1, false);
        Connection<CollectingProtocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, port(server)));
        connection.transport().write(new byte[] {1});
        Object lost = outcome(serverLost, 3);
        Object clientLost = outcome(client.lost, 3);
        List<String> messages = reportedMessages();
        connection.transport().abort();
        server.close();
        assertFalse("server side connectionLost: " + lost + "; reported: " + messages,
                String.valueOf(lost).startsWith("still pending"));
        assertNull("client side sees the close: " + clientLost, clientLost);
        assertEquals(1, messages.size());
        assertTrue(messages.toString(), messages.get(0).startsWith("Fatal error: protocol.data_received() call failed."));
    }

    /**
     * asyncio: an exception in the client_connected_cb is reported ("Unhandled exception in
     * client_connected_cb") and the transport closed (ASYNCIO-DIFFERENCES: so is one that throws at
     * once). An AssertionError (asyncio's AssertionError is an Exception) must close it too.
     */
    @Test
    public void aClientConnectedCbThrowingAnAssertionErrorClosesTheConnection() {
        recordReports();
        Server server = runFor(Streams.startServer(loop, (reader, writer) -> {
            throw new AssertionError("handler bug");
        }, LOCALHOST, 0));
        Streams.StreamPair pair = runFor(Streams.openConnection(loop, LOCALHOST, port(server)));
        Object end = outcome(pair.reader().read(-1), 3);
        List<String> messages = reportedMessages();
        pair.writer().close();
        server.close();
        assertTrue("the server closed the connection: " + end + "; reported " + messages, end instanceof byte[]);
        assertEquals(1, messages.size());
        assertTrue(messages.toString(), messages.get(0).startsWith("Unhandled exception in client_connected_cb"));
    }

    /**
     * asyncio's {@code _maybe_pause_protocol} catches {@code BaseException} from {@code pause_writing}:
     * "protocol.pause_writing() failed" reaches the exception handler and {@code write()} returns
     * normally. An AssertionError from pauseWriting must not come out of the caller's write().
     */
    @Test
    public void anAssertionErrorInPauseWritingIsReportedNotThrownFromWrite() throws Exception {
        recordReports();
        try (ServerSocket peer = new ServerSocket(0, 1, java.net.InetAddress.getByName(LOCALHOST))) {
            Protocol client = new Protocol() {
                @Override
                public void pauseWriting() {
                    throw new AssertionError("pause bug");
                }
            };
            Connection<Protocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, peer.getLocalPort()));
            Socket accepted = peer.accept();
            Throwable thrown = null;
            try {
                connection.transport().write(new byte[16 * 1024 * 1024]);
            } catch (Throwable t) {
                thrown = t;
            }
            List<String> messages = reportedMessages();
            connection.transport().abort();
            accepted.close();
            assertNull("write() threw " + thrown, thrown);
            assertEquals(1, messages.size());
            assertTrue(messages.toString(), messages.get(0).startsWith("protocol.pause_writing() failed"));
        }
    }

    /**
     * asyncio's {@code _read_ready__on_eof} catches {@code BaseException} from {@code eof_received}:
     * "Fatal error: protocol.eof_received() call failed." and the transport is force-closed.
     */
    @Test
    public void anAssertionErrorInEofReceivedClosesTheTransport() {
        recordReports();
        java.util.concurrent.atomic.AtomicInteger eofCalls = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Exception> serverLost = new CompletableFuture<>();
        Server server = runFor(loop.createServer(() -> new EchoProtocol() {
            @Override
            public boolean eofReceived() {
                eofCalls.incrementAndGet();
                throw new AssertionError("eof bug");
            }

            @Override
            public void connectionLost(Exception exc) {
                serverLost.complete(exc);
            }
        }, LOCALHOST, 0));
        CollectingProtocol client = new CollectingProtocol(1, true);
        Connection<CollectingProtocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, port(server)));
        connection.transport().writeEof();
        Object lost = outcome(serverLost, 3);
        List<String> messages = reportedMessages();
        connection.transport().abort();
        server.close();
        assertFalse("server side connectionLost: " + lost + "; eofReceived called " + eofCalls.get()
                + " times; " + messages.size() + " reports, the first: " + (messages.isEmpty() ? "none" : messages.get(0)),
                String.valueOf(lost).startsWith("still pending"));
        assertEquals("eofReceived calls", 1, eofCalls.get());
        assertTrue(messages.toString(), messages.size() == 1
                && messages.get(0).startsWith("Fatal error: protocol.eof_received() call failed."));
    }

    /** asyncio: serve_forever() on a closed server raises RuntimeError(f'server {self!r} is closed'). */
    @Test
    public void serveForeverAgainAfterTheServerClosedSaysItIsClosed() {
        Server server = echoServer();
        CompletionStage<Void> serving = server.serveForever();
        server.close();
        outcome(serving, 3);
        IllegalStateException again = org.junit.Assert.assertThrows(IllegalStateException.class, server::serveForever);
        assertTrue(again.getMessage(), again.getMessage().endsWith(" is closed"));
    }

    /**
     * The same reentrancy through a BufferedProtocol: buffer_updated pauses and resumes reading, with a
     * small buffer so that one read is fed in several pieces. Every byte, and only those, must arrive.
     */
    @Test
    public void pauseAndResumeInsideBufferUpdatedFeedOnlyTheBytesThatCame() {
        byte[] hello = ascii("hello, world");
        Server server = greetingServer(hello);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        CompletableFuture<Void> enough = new CompletableFuture<>();
        dev.loopkit.api.BufferedProtocol client = new dev.loopkit.api.BufferedProtocol() {
            Transport transport;
            final ByteBuffer small = ByteBuffer.allocate(4);

            @Override
            public void connectionMade(Transport made) {
                transport = made;
            }

            @Override
            public ByteBuffer getBuffer(int sizeHint) {
                small.clear();
                return small;
            }

            @Override
            public void bufferUpdated(int nbytes) {
                got.write(small.array(), 0, nbytes);
                transport.pauseReading();
                transport.resumeReading();
                if (got.size() >= hello.length) {
                    enough.complete(null);
                }
            }
        };
        Connection<dev.loopkit.api.BufferedProtocol> connection =
                runFor(loop.createConnection(() -> client, LOCALHOST, port(server)));
        runFor(enough);
        sleepOnLoop(0.1);
        assertEquals(text(hello), got.toString(StandardCharsets.US_ASCII));
        connection.transport().abort();
        server.close();
    }

    /**
     * asyncio's {@code _maybe_resume_protocol} catches {@code BaseException} from {@code resume_writing}
     * ("protocol.resume_writing() failed") and goes on flushing. A transport closed with a big buffer
     * whose protocol's resumeWriting throws an AssertionError must still flush everything and lose
     * the connection once.
     */
    @Test
    public void anAssertionErrorInResumeWritingStopsNeitherTheFlushNorTheClose() throws Exception {
        recordReports();
        byte[] big = NetworkContract.randomBytes(8 * 1024 * 1024, 17);
        try (ServerSocket peer = new ServerSocket(0, 1, java.net.InetAddress.getByName(LOCALHOST))) {
            CompletableFuture<Exception> lost = new CompletableFuture<>();
            AtomicBoolean paused = new AtomicBoolean();
            Protocol client = new Protocol() {
                @Override
                public void pauseWriting() {
                    paused.set(true);
                }

                @Override
                public void resumeWriting() {
                    throw new AssertionError("resume bug");
                }

                @Override
                public void connectionLost(Exception exc) {
                    lost.complete(exc);
                }
            };
            Connection<Protocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, peer.getLocalPort()));
            Socket accepted = peer.accept();
            CompletableFuture<byte[]> received = new CompletableFuture<>();
            Thread reader = readingAll(accepted, received);
            // The peer reads only once the write has returned: a peer reading meanwhile lets the kernel
            // take all 8 MiB in the one write (the receive buffer grows to 32 MiB here), and the transport
            // never pauses, so it never resumes either.
            connection.transport().write(big);
            assertTrue("the write paused the protocol", paused.get());
            reader.start();
            connection.transport().close();
            Object end = outcome(lost, 10);
            List<String> messages = reportedMessages();
            connection.transport().abort();
            reader.join(10_000);
            accepted.close();
            assertFalse("connectionLost: " + end + "; reports " + messages, String.valueOf(end).startsWith("still pending"));
            assertArrayEquals(big, received.getNow(new byte[0]));
            assertEquals(1, messages.size());
            assertTrue(messages.toString(), messages.get(0).startsWith("protocol.resume_writing() failed"));
        }
    }

    /**
     * {@code connection_lost} is the protocol's last callback: a closing transport whose buffer drains
     * resumes the protocol first (asyncio's selector transport resumes, then loses the connection; its
     * proactor schedules the loss), and what the protocol writes then still goes out before the end. The
     * proactor loop told {@code connectionLost} first and {@code resumeWriting} after it, so a protocol
     * that writes the rest of its response as writing resumes wrote into a lost transport (the streams
     * review).
     */
    @Test
    public void aClosingTransportThatDrainsResumesTheProtocolBeforeItIsLost() throws Exception {
        recordReports();
        byte[] big = NetworkContract.randomBytes(8 * 1024 * 1024, 23);
        byte[] more = ascii("and the rest");
        try (ServerSocket peer = new ServerSocket(0, 1, java.net.InetAddress.getByName(LOCALHOST))) {
            List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
            CompletableFuture<Exception> lost = new CompletableFuture<>();
            Transport[] transport = new Transport[1];
            Protocol client = new Protocol() {
                @Override
                public void connectionMade(Transport made) {
                    transport[0] = made;
                }

                @Override
                public void pauseWriting() {
                    order.add("pause");
                }

                @Override
                public void resumeWriting() {
                    order.add("resume");
                    if (transport[0] != null) {
                        transport[0].write(more);
                    }
                }

                @Override
                public void connectionLost(Exception exc) {
                    order.add("lost");
                    transport[0] = null;
                    lost.complete(exc);
                }
            };
            Connection<Protocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, peer.getLocalPort()));
            Socket accepted = peer.accept();
            CompletableFuture<byte[]> received = new CompletableFuture<>();
            Thread reader = readingAll(accepted, received);
            connection.transport().write(big); // the peer reads only once it returned: see above
            assertTrue("the write paused the protocol", order.contains("pause"));
            reader.start();
            connection.transport().close();
            Object end = outcome(lost, 10);
            reader.join(10_000);
            accepted.close();
            assertEquals("connectionLost: " + end, null, end);
            assertEquals(List.of("pause", "resume", "lost"), order);
            byte[] all = java.util.Arrays.copyOf(big, big.length + more.length);
            System.arraycopy(more, 0, all, big.length, more.length);
            assertArrayEquals(all, received.getNow(new byte[0]));
            assertEquals(List.of(), reportedMessages());
        }
    }

    /**
     * client_connected_cb may return any CompletionStage (Streams.ClientConnected's javadoc), e.g. work
     * done on another executor. asyncio runs the callback's task and its done callback on the loop: the
     * report "Unhandled exception in client_connected_cb" and the transport's close() happen on the loop
     * thread. A stage that fails on another thread must not make Loopkit call the exception handler or
     * close the transport (loop-thread-only) from that thread.
     */
    @Test
    public void aClientConnectedStageFailingOnAnotherThreadIsHandledOnTheLoopThread() {
        String loopThread = Thread.currentThread().getName();
        List<String> handlerThreads = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> handlerThreads.add(Thread.currentThread().getName() + ": " + context.get("message")));
        java.util.concurrent.ExecutorService elsewhere = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> new Thread(r, "user-worker"));
        try {
            Server server = runFor(Streams.startServer(loop, (reader, writer) -> CompletableFuture.runAsync(() -> {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // the callback has returned: its stage completes elsewhere
                throw new IllegalStateException("handler failed elsewhere");
            }, elsewhere), LOCALHOST, 0));
            Streams.StreamPair pair = runFor(Streams.openConnection(loop, LOCALHOST, port(server)));
            Object end = outcome(pair.reader().read(-1), 3);
            sleepOnLoop(0.1);
            pair.writer().close();
            server.close();
            assertEquals("the client's read(-1) ended with " + (end instanceof byte[] b ? b.length + " bytes" : end),
                    List.of(loopThread + ": Unhandled exception in client_connected_cb"), handlerThreads);
            assertTrue(String.valueOf(end), end instanceof byte[]);
        } finally {
            elsewhere.shutdownNow();
        }
    }

    /**
     * A create_connection given up with a timeout: asyncio's {@code wait_for(create_connection(...), t)}
     * cancels it and {@code _connect_sock} closes the socket. The Java way is {@code orTimeout}, which
     * completes the stage with a TimeoutException (not a cancel): the socket must be closed all the same
     * once connected, and the server's side must see the end. Otherwise a connected socket is left to
     * nobody.
     */
    @Test
    public void aCreateConnectionGivenUpWithOrTimeoutLeavesNoSocketOpen() throws Exception {
        CompletableFuture<Exception> serverSideLost = new CompletableFuture<>();
        Server server = runFor(loop.createServer(() -> new EchoProtocol() {
            @Override
            public void connectionLost(Exception exc) {
                serverSideLost.complete(exc);
            }
        }, LOCALHOST, 0));
        Map<Integer, String> before = Leaks.openFds();
        java.util.concurrent.atomic.AtomicInteger protocolsMade = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Connection<CollectingProtocol>> connecting = loop.createConnection(() -> {
            protocolsMade.incrementAndGet();
            return new CollectingProtocol(1, false);
        }, LOCALHOST, port(server)).toCompletableFuture();
        connecting.orTimeout(1, java.util.concurrent.TimeUnit.MILLISECONDS);
        // The timeout fires before the loop runs the connect: waited for, not slept for, so that a slow
        // machine's late timer thread cannot fail the test (an outside review). Polled: every stage of
        // the loop's future runs on the loop, which does not run yet (anyOf of it alone is one of them).
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!connecting.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(connecting.isCompletedExceptionally());
        sleepOnLoop(0.5);
        boolean serverSawTheEnd = serverSideLost.isDone();
        Map<Integer, String> left = sockets(Leaks.newFds(before));
        server.close();
        assertEquals("protocols made: " + protocolsMade.get() + ", the server's side ended: " + serverSawTheEnd
                + "; sockets left by the create_connection given up", Map.of(), left);
    }

    /**
     * asyncio: cancelling {@code open_connection()} cancels its {@code create_connection}, whose
     * {@code _connect_sock} closes the socket; no StreamReaderProtocol is left connected. Loopkit's
     * openConnection returns a stage derived from createConnection's: cancelling it must not leave a
     * connected transport to nobody.
     */
    @Test
    public void aCancelledOpenConnectionLeavesNoSocketOpen() throws Exception {
        CompletableFuture<Exception> serverSideLost = new CompletableFuture<>();
        Server server = runFor(loop.createServer(() -> new EchoProtocol() {
            @Override
            public void connectionLost(Exception exc) {
                serverSideLost.complete(exc);
            }
        }, LOCALHOST, 0));
        Map<Integer, String> before = Leaks.openFds();
        CompletableFuture<Streams.StreamPair> opening = Streams.openConnection(loop, LOCALHOST, port(server)).toCompletableFuture();
        assertTrue(opening.cancel(false));
        sleepOnLoop(0.5);
        boolean serverSawTheEnd = serverSideLost.isDone();
        Map<Integer, String> left = sockets(Leaks.newFds(before));
        server.close();
        assertEquals("the server's side ended: " + serverSawTheEnd + "; sockets left by the cancelled open_connection",
                Map.of(), left);
    }

    private Server serverSeeingTheEnd(CompletableFuture<Exception> serverSideLost) {
        return runFor(loop.createServer(() -> new EchoProtocol() {
            @Override
            public void connectionLost(Exception exc) {
                serverSideLost.complete(exc);
            }
        }, LOCALHOST, 0));
    }

    /**
     * Cancelled by another callback that runs after the transport's start and before the connection is
     * handed over (a timeout's, say): asyncio's {@code _create_connection_transport} closes the
     * transport ({@code except: transport.close(); raise}). The first fix of the given-up connect closed
     * only a socket the start had not taken, and this connection lived on, nobody's (a second review).
     */
    @Test
    public void aCreateConnectionCancelledWhileItsTransportStartsLeavesNoConnectionToNobody() throws Exception {
        CompletableFuture<Exception> serverSideLost = new CompletableFuture<>();
        Server server = serverSeeingTheEnd(serverSideLost);
        Map<Integer, String> before = Leaks.openFds();
        @SuppressWarnings("unchecked")
        CompletableFuture<Connection<CollectingProtocol>>[] connecting = new CompletableFuture[1];
        CollectingProtocol[] protocol = new CollectingProtocol[1];
        CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
        loop.callSoon(() -> connecting[0] = loop.createConnection(() -> {
            // the socket is connected and the transport being made: a callback queued now runs before
            // the Connection is handed over
            loop.callSoon(() -> cancelled.complete(connecting[0].cancel(false)));
            protocol[0] = new CollectingProtocol(1, false);
            return protocol[0];
        }, LOCALHOST, port(server)).toCompletableFuture());
        assertTrue("the cancel came in time", runFor(cancelled));
        sleepOnLoop(0.5);
        boolean serverSawTheEnd = serverSideLost.isDone();
        boolean clientLost = protocol[0].lost.isDone();
        Map<Integer, String> left = sockets(Leaks.newFds(before));
        server.close();
        assertEquals("connectionMade told: " + protocol[0].made.isDone() + ", connectionLost told: " + clientLost
                + ", the server's side ended: " + serverSawTheEnd + "; sockets left by the cancelled create_connection",
                Map.of(), left);
    }

    /**
     * A peer that resets the connection (SO_LINGER 0, then close): asyncio's protocol hears
     * {@code connection_lost(ConnectionResetError(104, 'Connection reset by peer'))}, the C library's
     * words, which Loopkit's {@code sockRecv} already uses. The transports passed on the JDK's
     * "Connection reset" (selector, proactor) and a PosixException "Connection reset by peer (read 56)"
     * (epoll) (an outside review).
     */
    @Test
    public void aResetSeenByTheTransportIsLostWithTheCLibrarysWords() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, java.net.InetAddress.getByName(LOCALHOST))) {
            CompletableFuture<Exception> lost = new CompletableFuture<>();
            Protocol client = new Protocol() {
                @Override
                public void connectionLost(Exception exc) {
                    lost.complete(exc);
                }
            };
            Connection<Protocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, peer.getLocalPort()));
            try (Socket accepted = peer.accept()) {
                accepted.setSoLinger(true, 0); // close sends a reset
            }
            Exception exc = runFor(lost);
            assertTrue("a SocketException (asyncio's ConnectionResetError): " + exc, exc instanceof java.net.SocketException);
            assertEquals("Connection reset by peer", exc.getMessage());
            connection.transport().close();
        }
    }
    /**
     * Writes to a peer that has gone, its end not read (reading paused): asyncio's protocol hears
     * {@code connection_lost(BrokenPipeError(32, 'Broken pipe'))} or, where the kernel saw the peer's
     * reset first, {@code ConnectionResetError(104, 'Connection reset by peer')}: the C library's words,
     * as the JDK's channels say them. The epoll loop passed on the posix bundle's message, which names
     * the call it made and the descriptor ("Broken pipe (write 56)").
     */
    @Test
    public void aWriteToAPeerThatIsGoneIsLostWithTheCLibrarysWords() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, java.net.InetAddress.getByName(LOCALHOST))) {
            CompletableFuture<Exception> lost = new CompletableFuture<>();
            Protocol client = new Protocol() {
                @Override
                public void connectionMade(Transport transport) {
                    transport.pauseReading(); // the peer's end is not seen by a read
                }

                @Override
                public void connectionLost(Exception exc) {
                    lost.complete(exc);
                }
            };
            Connection<Protocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, peer.getLocalPort()));
            peer.accept().close();
            byte[] some = ascii("are you there?");
            Runnable writeUntilLost = new Runnable() {
                @Override
                public void run() {
                    if (!lost.isDone()) {
                        connection.transport().write(ByteBuffer.wrap(some));
                        loop.callLater(0.005, this); // the kernel's answer to the last write comes meanwhile
                    }
                }
            };
            loop.callSoon(writeUntilLost);
            Exception exc = runFor(lost);
            assertNotNull("the write's failure reaches connectionLost", exc);
            assertTrue("an IOException: " + exc, exc instanceof IOException);
            assertTrue("the C library's words, no call named: " + exc.getMessage(),
                    List.of("Broken pipe", "Connection reset by peer").contains(exc.getMessage()));
        }
    }

    /**
     * A peer that resets the connection (closed with {@code SO_LINGER} 0) while the transport writes:
     * asyncio's {@code ConnectionResetError}, here a {@link java.net.SocketException} "Connection reset by
     * peer" on every loop, as a read's reset is. The proactor loop's write said a plain {@code IOException},
     * which code catching the reset the other loops give missed (the streams review).
     */
    @Test
    public void aResetSeenByAWriteIsLostAsASocketExceptionInTheCLibrarysWords() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, java.net.InetAddress.getByName(LOCALHOST))) {
            CompletableFuture<Exception> lost = new CompletableFuture<>();
            Protocol client = new Protocol() {
                @Override
                public void connectionMade(Transport transport) {
                    transport.pauseReading(); // the reset is seen by a write, not a read
                }

                @Override
                public void connectionLost(Exception exc) {
                    lost.complete(exc);
                }
            };
            Connection<Protocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, peer.getLocalPort()));
            Socket accepted = peer.accept();
            connection.transport().write(NetworkContract.randomBytes(8 * 1024 * 1024, 29)); // a write under way
            accepted.setSoLinger(true, 0);
            accepted.close(); // a reset, with the client's bytes unread
            Exception exc = runFor(lost);
            assertNotNull("the write's failure reaches connectionLost", exc);
            assertEquals(exc.toString(), "Connection reset by peer", exc.getMessage());
            assertTrue("a SocketException, as the other loops and a read's reset: " + exc, exc instanceof java.net.SocketException);
        }
    }

    /**
     * A callback that leaves the loop thread's interrupt status set (the Java idiom of restoring it
     * after catching {@code InterruptedException}) stops the loop, as asyncio's {@code KeyboardInterrupt}
     * leaves {@code run_forever}; the loop's connections must survive it, as asyncio's transports
     * survive a {@code KeyboardInterrupt}. A java.nio channel closes itself when an interrupted thread
     * reads or writes it, so the loop must not touch one while the status is set.
     */
    @Test
    public void anInterruptLeftSetByACallbackStopsTheLoopAndKeepsItsConnections() throws IOException {
        CompletableFuture<byte[]> served = new CompletableFuture<>();
        CompletableFuture<Void> servedTwice = new CompletableFuture<>();
        EchoProtocol echo = new EchoProtocol() {
            int echoed;

            @Override
            public void dataReceived(ByteBuffer data) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                if (!served.isDone()) {
                    Thread.currentThread().interrupt(); // restored after an InterruptedException, say
                }
                transport.write(bytes);
                served.complete(bytes);
                echoed += bytes.length;
                if (echoed >= 6) {
                    servedTwice.complete(null);
                }
            }
        };
        Server server = runFor(loop.createServer(() -> echo, LOCALHOST, 0));
        try (Socket client = new Socket(LOCALHOST, port(server))) {
            client.setSoTimeout(5_000);
            client.getOutputStream().write(ascii("one"));
            loop.runForever(); // ends at the iteration the interrupt status was seen in
            assertTrue("the interrupt status is left for the caller", Thread.interrupted());
            assertEquals("one", text(client.getInputStream().readNBytes(3)));
            // Bytes waiting in the kernel while the status is set again: the next wait must not read them
            // into a channel that closes on the interrupt.
            client.getOutputStream().write(ascii("two"));
            loop.callSoon(() -> Thread.currentThread().interrupt());
            loop.runForever();
            assertTrue(Thread.interrupted());
            // The loop runs until it has echoed "two", not for a set time: a TCP write on loopback may
            // reach the peer's socket after the call returned (the kernel's softirq deferred under load),
            // and the client's blocking read below runs while the loop does not.
            Object second = outcome(servedTwice, 10);
            assertNull("the loop echoed \"two\" (" + second + "); the connection was lost: " + echo.lost.getNow(null), second);
            assertEquals("two", text(client.getInputStream().readNBytes(3)));
            assertFalse("the connection was not lost: " + echo.lost.getNow(null), echo.lost.isDone());
        } finally {
            server.close();
        }
    }

    // A thread, not started, that reads all the peer gets until the end into received.
    private static Thread readingAll(Socket accepted, CompletableFuture<byte[]> received) {
        return new Thread(() -> {
            try (InputStream in = accepted.getInputStream()) {
                received.complete(in.readAllBytes());
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
        });
    }
}
