package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeNoException;

import dev.loopkit.api.Datagram;
import dev.loopkit.api.DatagramEndpoint;
import dev.loopkit.api.DatagramOptions;
import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.DatagramTransport;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.TransportSocket;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Test;

/**
 * UDP as asyncio's {@code create_datagram_endpoint}, {@code DatagramProtocol}, {@code sock_recvfrom}
 * and {@code sock_sendto} give it (asyncio's {@code test_events} datagram tests): datagrams echoed
 * without loss over loopback, IPv4 and IPv6, errors of a send reaching {@code errorReceived},
 * asyncio's checks and words, callbacks that close or send from inside, and nothing left open.
 * Every loop runs it by extending this class.
 */
public abstract class DatagramContract extends LoopTestSupport {

    protected static final String LOCALHOST = "127.0.0.1";

    /**
     * Whether a connected endpoint sends an empty datagram: the epoll loop's own sockets do; a connected
     * JDK {@code DatagramChannel} makes no system call for an empty buffer (ASYNCIO-DIFFERENCES).
     */
    protected boolean connectedEndpointsSendEmptyDatagrams() {
        return false;
    }

    /** What reaches the exception handler is a failure, unless the test installs its own handler. */
    @Override
    protected boolean unexpectedErrorsFail() {
        return true;
    }

    protected DatagramEndpoint<DatagramEcho> echoServer(String host) {
        return runFor(loop.createDatagramEndpoint(DatagramEcho::new, new InetSocketAddress(host, 0), null));
    }

    protected static InetSocketAddress sockname(DatagramEndpoint<?> endpoint) {
        return (InetSocketAddress) endpoint.transport().getExtraInfo("sockname");
    }

    private <P extends DatagramProtocol> DatagramEndpoint<P> connectTo(SocketAddress remote, P protocol) {
        return runFor(loop.createDatagramEndpoint(() -> protocol, null, remote));
    }

    private void close(DatagramEndpoint<?>... endpoints) {
        for (DatagramEndpoint<?> endpoint : endpoints) {
            endpoint.transport().close();
        }
        runFor(quietTurn()); // connectionLost runs at the next iteration
    }

    private CompletionStage<Void> quietTurn() {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        loop.callSoon(() -> loop.callSoon(() -> turn.complete(null)));
        return turn;
    }

    // ---- echo ------------------------------------------------------------------------------------------

    /**
     * A client that keeps {@link #WINDOW} datagrams in flight and sends the next one for each echo, so
     * that loopback's socket buffers never overflow: every loss is the loop's. Each datagram carries its
     * number and a body of its own length, checked on return.
     */
    private static final class WindowedClient implements DatagramProtocol {
        static final int WINDOW = 32;
        final int total;
        final CompletableFuture<Integer> finished = new CompletableFuture<>();
        final List<String> mismatches = new ArrayList<>();
        DatagramTransport transport;
        int sent;
        int received;
        boolean[] seen;

        WindowedClient(int total) {
            this.total = total;
            this.seen = new boolean[total];
        }

        static byte[] datagram(int number) {
            ByteBuffer data = ByteBuffer.allocate(4 + number % 1000);
            data.putInt(number);
            while (data.hasRemaining()) {
                data.put((byte) (number + data.position()));
            }
            return data.array();
        }

        void sendNext() {
            if (sent < total) {
                transport.sendto(datagram(sent++), null);
            }
        }

        @Override
        public void connectionMade(DatagramTransport made) {
            transport = made;
            for (int i = 0; i < WINDOW; i++) {
                sendNext();
            }
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress addr) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            int number = ByteBuffer.wrap(bytes).getInt();
            if (number < 0 || number >= total || seen[number] || !Arrays.equals(datagram(number), bytes)) {
                mismatches.add("datagram " + number + " of " + bytes.length + " bytes");
            } else {
                seen[number] = true;
            }
            received++;
            if (received == total) {
                finished.complete(received);
            }
            sendNext();
        }
    }

    @Test
    public void tenThousandDatagramsEchoedOverLoopbackWithNoLoss() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        WindowedClient client = new WindowedClient(10_000);
        DatagramEndpoint<WindowedClient> endpoint = connectTo(sockname(server), client);
        // A lost datagram would stall the window: after 5 quiet seconds (a hang guard, not a timing
        // assertion) the count so far is taken, and the loss is what the assertion reports.
        int[] lastSeen = {-1};
        CompletableFuture<Integer> stalled = new CompletableFuture<>();
        Runnable[] watch = new Runnable[1];
        watch[0] = () -> {
            if (client.received == lastSeen[0]) {
                stalled.complete(client.received);
            } else {
                lastSeen[0] = client.received;
                loop.callLater(5, watch[0]);
            }
        };
        loop.callLater(5, watch[0]);
        int received = runFor(client.finished.applyToEither(stalled, n -> n));
        assertEquals("datagrams lost of " + client.total, 0, client.total - received);
        assertEquals(List.of(), client.mismatches);
        close(server, endpoint);
    }

    @Test
    public void echoOverIpv6() {
        try (DatagramChannel probe = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress("::1", 0));
        } catch (IOException | UnsupportedOperationException noIpv6Loopback) {
            assumeNoException("no IPv6 loopback here", noIpv6Loopback);
        }
        DatagramEndpoint<DatagramEcho> server = echoServer("::1");
        assertTrue(sockname(server).getAddress() instanceof Inet6Address);
        CollectingDatagrams client = new CollectingDatagrams(3);
        DatagramEndpoint<CollectingDatagrams> endpoint = connectTo(sockname(server), client);
        for (String word : List.of("one", "two", "three")) {
            endpoint.transport().sendto(word.getBytes(StandardCharsets.US_ASCII), null);
        }
        List<byte[]> echoed = runFor(client.all);
        assertEquals(List.of("one", "two", "three"),
                echoed.stream().map(b -> new String(b, StandardCharsets.US_ASCII)).toList());
        assertEquals(sockname(server), client.senders.get(0));
        assertEquals(sockname(server), endpoint.transport().getExtraInfo("peername"));
        close(server, endpoint);
    }

    @Test
    public void theLargestDatagramMakesTheRoundTripAndAnEmptyOneGoesWhereTheSocketCanSendIt() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        boolean empty = connectedEndpointsSendEmptyDatagrams();
        CollectingDatagrams client = new CollectingDatagrams(empty ? 3 : 2);
        DatagramEndpoint<CollectingDatagrams> endpoint = connectTo(sockname(server), client);
        byte[] largest = new byte[65_507]; // UDP over IPv4 carries no more
        new Random(7).nextBytes(largest);
        endpoint.transport().sendto(new byte[0], null);
        endpoint.transport().sendto(largest, null);
        endpoint.transport().sendto(new byte[] {1}, null);
        List<byte[]> echoed = new ArrayList<>(runFor(client.all));
        if (empty) {
            assertArrayEquals("the empty datagram, echoed", new byte[0], echoed.remove(0));
        }
        assertArrayEquals(largest, echoed.get(0));
        assertArrayEquals(new byte[] {1}, echoed.get(1));
        assertEquals(List.of(), client.errors);
        close(server, endpoint);
    }

    /**
     * asyncio 3.13 sends an empty datagram (gh-113812: 3.12's "if not data: return" dropped it), and the
     * peer's {@code datagram_received} gets {@code b''}: a zero-length datagram means something in
     * protocols such as RFC 868's. Loopkit dropped it, believing the JDK could not send one; an
     * endpoint with no connection can (an outside review).
     */
    @Test
    public void anEmptyDatagramFromAnEndpointWithNoConnectionReachesThePeer() {
        CollectingDatagrams server = new CollectingDatagrams(2);
        DatagramEndpoint<CollectingDatagrams> serverEndpoint = runFor(loop.createDatagramEndpoint(() -> server,
                new InetSocketAddress(LOCALHOST, 0), null));
        CollectingDatagrams client = new CollectingDatagrams(0);
        DatagramEndpoint<CollectingDatagrams> clientEndpoint = runFor(loop.createDatagramEndpoint(() -> client,
                new InetSocketAddress(LOCALHOST, 0), null));
        clientEndpoint.transport().sendto(new byte[0], sockname(serverEndpoint));
        clientEndpoint.transport().sendto("after".getBytes(StandardCharsets.US_ASCII), sockname(serverEndpoint));
        List<byte[]> got = runFor(server.all);
        assertEquals("the first datagram is the empty one, not '" + new String(got.get(0), StandardCharsets.US_ASCII)
                + "'; errors: " + client.errors, 0, got.get(0).length);
        assertArrayEquals("after".getBytes(StandardCharsets.US_ASCII), got.get(1));
        close(serverEndpoint, clientEndpoint);
    }

    /**
     * asyncio's {@code sock_sendto(sock, data, ('localhost', port))} sends: Python's {@code sendto}
     * resolves the name. Loopkit threw the JDK's {@code UnresolvedAddressException} out of the call
     * (an outside review).
     */
    @Test
    public void sockSendtoToAnUnresolvedAddressLooksItUp() throws IOException {
        try (DatagramChannel sender = DatagramChannel.open(); DatagramChannel receiver = DatagramChannel.open()) {
            sender.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            receiver.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            int sent = runFor(loop.sockSendto(sender, ByteBuffer.wrap(new byte[] {42}),
                    InetSocketAddress.createUnresolved(LOCALHOST, port)));
            assertEquals(1, sent);
            Datagram got = runFor(loop.sockRecvfrom(receiver, 10));
            assertEquals(42, got.data().get(0));
        }
    }

    @Test
    public void unresolvedAddressesAreLookedUpAndEndpointsWithoutAConnectionSendToAnyAddress() {
        DatagramEndpoint<DatagramEcho> server = runFor(loop.createDatagramEndpoint(DatagramEcho::new,
                InetSocketAddress.createUnresolved("localhost", 0), null, DatagramOptions.defaults()
                        .withFamily(StandardProtocolFamily.INET)));
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = runFor(loop.createDatagramEndpoint(() -> client,
                new InetSocketAddress(LOCALHOST, 0), null));
        assertNull("not connected", endpoint.transport().getExtraInfo("peername"));
        endpoint.transport().sendto("hello".getBytes(StandardCharsets.US_ASCII), sockname(server));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), runFor(client.all).get(0));
        IllegalArgumentException noAddress = assertThrows(IllegalArgumentException.class,
                () -> endpoint.transport().sendto(ByteBuffer.allocate(1)));
        assertTrue(noAddress.getMessage(), noAddress.getMessage().contains("needs an address"));
        close(server, endpoint);
    }

    // ---- errors ----------------------------------------------------------------------------------------

    /**
     * A destination the socket cannot take (of the other family, or unresolved) reaches errorReceived
     * and the endpoint stays open, as asyncio's {@code sendto} meets an {@code OSError} there
     * (EAFNOSUPPORT, {@code gaierror}); it was a fatal error that closed the endpoint.
     */
    @Test
    public void aDestinationTheSocketCannotTakeReachesErrorReceivedAndTheEndpointStaysOpen() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = runFor(loop.createDatagramEndpoint(() -> client,
                new InetSocketAddress(LOCALHOST, 0), null));
        endpoint.transport().sendto(new byte[1], new InetSocketAddress("::1", 9)); // an IPv4 socket
        endpoint.transport().sendto(new byte[1], InetSocketAddress.createUnresolved("nowhere.invalid", 9));
        runFor(quietTurn());
        assertEquals(client.errors.toString(), 2, client.errors.size());
        assertEquals("Address family not supported by protocol", client.errors.get(0).getMessage());
        assertEquals("unresolved address: nowhere.invalid/<unresolved>:9", client.errors.get(1).getMessage());
        assertTrue(client.errors.stream().allMatch(IOException.class::isInstance));
        assertFalse(endpoint.transport().isClosing());
        endpoint.transport().sendto("still open".getBytes(StandardCharsets.US_ASCII), sockname(server));
        assertArrayEquals("still open".getBytes(StandardCharsets.US_ASCII), runFor(client.all).get(0));
        close(server, endpoint);
    }

    @Test
    public void anOversizeDatagramReachesErrorReceivedAndTheEndpointStaysOpen() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = connectTo(sockname(server), client);
        endpoint.transport().sendto(new byte[70_000], null); // over UDP's 65,507 bytes: EMSGSIZE
        Exception error = runFor(client.error);
        assertTrue(error.toString(), error instanceof IOException);
        assertTrue(error.getMessage(), error.getMessage().toLowerCase(Locale.ROOT).contains("too long"));
        assertFalse(endpoint.transport().isClosing());
        endpoint.transport().sendto("still open".getBytes(StandardCharsets.US_ASCII), null);
        assertArrayEquals("still open".getBytes(StandardCharsets.US_ASCII), runFor(client.all).get(0));
        assertEquals(1, client.errors.size());
        close(server, endpoint);
    }

    @Test
    public void aConnectedEndpointRefusesOtherAddressesInAsynciosWords() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        InetSocketAddress remote = sockname(server);
        CollectingDatagrams client = new CollectingDatagrams(2);
        DatagramEndpoint<CollectingDatagrams> endpoint = connectTo(remote, client);
        InetSocketAddress other = new InetSocketAddress(LOCALHOST, remote.getPort() == 9 ? 10 : 9);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> endpoint.transport().sendto(new byte[1], other));
        assertEquals("Invalid address: must be None or ('127.0.0.1', " + remote.getPort() + ")", refused.getMessage());
        endpoint.transport().sendto("a".getBytes(StandardCharsets.US_ASCII), remote); // its own address is fine
        endpoint.transport().sendto("b".getBytes(StandardCharsets.US_ASCII), null);
        assertEquals(2, runFor(client.all).size());
        assertEquals(List.of(), client.errors);
        close(server, endpoint);
    }

    /**
     * asyncio makes an {@code AF_UNIX} datagram endpoint from the family alone. The JDK's datagram channels
     * cannot, and the selector and proactor loops threw its {@code UnsupportedOperationException} out of
     * the call, where the epoll loop (its own sockets) makes the endpoint (the network review): the stage
     * is where a caller looks, so it fails there.
     */
    @Test
    public void aUnixDatagramEndpointIsMadeOrFailsItsStage() {
        CompletionStage<DatagramEndpoint<CollectingDatagrams>> stage = loop.createDatagramEndpoint(
                () -> new CollectingDatagrams(1), null, null, DatagramOptions.defaults().withFamily(StandardProtocolFamily.UNIX));
        Object outcome = runFor(outcomeOf(stage, 5));
        if (outcome instanceof DatagramEndpoint<?> made) {
            made.transport().close();
        } else {
            assertTrue(String.valueOf(outcome), outcome instanceof UnsupportedOperationException);
        }
    }

    @Test
    public void neitherAddressNorFamilyIsRefusedInAsynciosWords() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> loop.createDatagramEndpoint(DatagramEcho::new, null, null));
        assertEquals("unexpected address family", refused.getMessage());
        // the stage fails (runUntilComplete rethrows asyncio's ValueError as it is)
        IllegalArgumentException noCommonFamily = assertThrows(IllegalArgumentException.class, () -> runFor(
                loop.createDatagramEndpoint(DatagramEcho::new, new InetSocketAddress(LOCALHOST, 0),
                        new InetSocketAddress(LOCALHOST, 9), DatagramOptions.defaults().withFamily(StandardProtocolFamily.INET6))));
        assertEquals("can not get address information", noCommonFamily.getMessage());
        // with only a family: an unbound socket of that family
        DatagramEndpoint<CollectingDatagrams> unbound = runFor(loop.createDatagramEndpoint(() -> new CollectingDatagrams(1),
                null, null, DatagramOptions.defaults().withFamily(StandardProtocolFamily.INET)));
        assertNull(unbound.transport().getExtraInfo("peername"));
        close(unbound);
    }

    // ---- options ---------------------------------------------------------------------------------------

    @Test
    public void allowBroadcastSetsSoBroadcastAndLeavesTheRemoteAddressUnconnected() throws IOException {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> broadcasting = runFor(loop.createDatagramEndpoint(() -> client,
                null, sockname(server), DatagramOptions.defaults().withAllowBroadcast(true)));
        TransportSocket socket = (TransportSocket) broadcasting.transport().getExtraInfo("socket");
        assertTrue(socket.getOption(StandardSocketOptions.SO_BROADCAST));
        // asyncio does not connect a broadcasting endpoint: the remote address is only where sendto goes
        assertNull(broadcasting.transport().getExtraInfo("peername"));
        broadcasting.transport().sendto("to the default".getBytes(StandardCharsets.US_ASCII), null);
        assertArrayEquals("to the default".getBytes(StandardCharsets.US_ASCII), runFor(client.all).get(0));
        DatagramEndpoint<CollectingDatagrams> plain = connectTo(sockname(server), new CollectingDatagrams(1));
        assertFalse(((TransportSocket) plain.transport().getExtraInfo("socket")).getOption(StandardSocketOptions.SO_BROADCAST));
        close(server, broadcasting, plain);
    }

    @Test
    public void reusePortLetsTwoEndpointsShareAPort() throws IOException {
        DatagramOptions reuse = DatagramOptions.defaults().withReusePort(true);
        DatagramEndpoint<DatagramEcho> first = runFor(loop.createDatagramEndpoint(DatagramEcho::new,
                new InetSocketAddress(LOCALHOST, 0), null, reuse));
        DatagramEndpoint<DatagramEcho> second = runFor(loop.createDatagramEndpoint(DatagramEcho::new,
                sockname(first), null, reuse));
        assertEquals(sockname(first), sockname(second));
        assertTrue(((TransportSocket) second.transport().getExtraInfo("socket")).getOption(StandardSocketOptions.SO_REUSEPORT));
        CompletionException taken = assertThrows(CompletionException.class, () -> runFor(
                loop.createDatagramEndpoint(DatagramEcho::new, sockname(first), null)));
        assertTrue(taken.getCause().toString(), taken.getCause() instanceof BindException);
        close(first, second);
    }

    // ---- reentrancy ------------------------------------------------------------------------------------

    @Test
    public void datagramReceivedMayCloseTheTransportOrSendFromInside() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        CompletableFuture<Exception> lost = new CompletableFuture<>();
        int[] lostCalls = {0};
        List<String> got = new ArrayList<>();
        DatagramProtocol closesInside = new DatagramProtocol() {
            DatagramTransport transport;

            @Override
            public void connectionMade(DatagramTransport made) {
                transport = made;
                made.sendto("ping".getBytes(StandardCharsets.US_ASCII), null);
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress addr) {
                got.add(StandardCharsets.US_ASCII.decode(data).toString());
                if (got.size() == 1) {
                    transport.sendto("pong".getBytes(StandardCharsets.US_ASCII), null); // sends from inside
                } else {
                    transport.sendto("last".getBytes(StandardCharsets.US_ASCII), null);
                    transport.close(); // closes from inside, with a datagram just sent
                    transport.close();
                    assertTrue(transport.isClosing());
                }
            }

            @Override
            public void connectionLost(Exception exc) {
                lostCalls[0]++;
                lost.complete(exc);
            }
        };
        DatagramEndpoint<DatagramProtocol> endpoint = connectTo(sockname(server), closesInside);
        assertNull(runFor(lost));
        assertEquals(List.of("ping", "pong"), got);
        runFor(quietTurn());
        assertEquals(1, lostCalls[0]);
        endpoint.transport().sendto(new byte[1], null); // after the loss: counted, not sent, no error
        close(server);
    }

    @Test
    public void abortDropsTheBufferAndConnectionLostRunsOnce() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = connectTo(sockname(server), client);
        endpoint.transport().abort();
        endpoint.transport().abort();
        endpoint.transport().close();
        assertNull(runFor(client.lost));
        runFor(quietTurn());
        assertEquals(1, client.lostCalls);
        close(server);
    }

    // ---- sock_recvfrom, sock_sendto ----------------------------------------------------------------------

    @Test
    public void sockSendtoAndSockRecvfrom() throws IOException {
        try (DatagramChannel a = DatagramChannel.open(); DatagramChannel b = DatagramChannel.open()) {
            a.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            b.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            CompletionStage<Datagram> receiving = loop.sockRecvfrom(b, 100); // nothing there yet: it waits
            int sent = runFor(loop.sockSendto(a, ByteBuffer.wrap("datagram".getBytes(StandardCharsets.US_ASCII)),
                    b.getLocalAddress()));
            assertEquals(8, sent);
            Datagram got = runFor(receiving);
            assertEquals("datagram", StandardCharsets.US_ASCII.decode(got.data()).toString());
            assertEquals(a.getLocalAddress(), got.address());
            // at most bufsize bytes of a longer datagram, as recvfrom(bufsize)
            runFor(loop.sockSendto(a, ByteBuffer.wrap(new byte[50]), b.getLocalAddress()));
            assertEquals(10, runFor(loop.sockRecvfrom(b, 10)).data().remaining());
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> loop.sockRecvfrom(b, -1));
            assertEquals("negative buffersize in recvfrom", negative.getMessage());
        }
        try (SocketChannel stream = SocketChannel.open()) {
            String message = assertThrows(IllegalArgumentException.class, () -> loop.sockRecvfrom(stream, 1)).getMessage();
            assertEquals(loop.getClass().getSimpleName() + " needs a java.nio.channels.DatagramChannel, not "
                    + stream.getClass().getName(), message);
        }
        try (DatagramChannel blocking = DatagramChannel.open()) {
            assertThrows(IllegalArgumentException.class, () -> loop.sockSendto(blocking, ByteBuffer.allocate(1),
                    new InetSocketAddress(LOCALHOST, 9)));
        }
    }

    /**
     * A {@code sockRecvfrom} started while another waits on the same socket takes the socket's reader
     * (asyncio's {@code add_reader} replaces the first's, which then waits until cancelled) and gets
     * the next datagram once the first is cancelled: the first's clean-up removes the reader only
     * while it is its own, as asyncio's {@code _sock_read_done} checks its handle. It removed the
     * second's reader, which then waited for good.
     */
    @Test
    public void aSockRecvfromStartedWhileAnotherWaitsGetsTheDatagramOnceTheFirstIsCancelled() throws IOException {
        try (DatagramChannel a = DatagramChannel.open(); DatagramChannel b = DatagramChannel.open()) {
            a.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            b.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            LoopFuture<Datagram> first = loop.sockRecvfrom(b, 100);
            LoopFuture<Datagram> second = loop.sockRecvfrom(b, 100);
            assertFalse(first.isDone() || second.isDone());
            assertTrue(first.cancel(false));
            runFor(quietTurn()); // the first's clean-up has run
            runFor(loop.sockSendto(a, ByteBuffer.wrap("second".getBytes(StandardCharsets.US_ASCII)), b.getLocalAddress()));
            assertEquals("second", StandardCharsets.US_ASCII.decode(runFor(second).data()).toString());
        }
    }

    /**
     * The socket of an endpoint, as its transport holds it: the API hands it out nowhere (there is no
     * {@code sock} argument to {@code createDatagramEndpoint} yet), so only the socket extra's field
     * reaches it.
     */
    private static NetworkChannel socketOf(DatagramTransport transport) throws ReflectiveOperationException {
        Object socket = transport.getExtraInfo("socket");
        Field channel = socket.getClass().getDeclaredField("channel");
        channel.setAccessible(true);
        return (NetworkChannel) channel.get(socket);
    }

    /**
     * asyncio's datagram transport calls {@code datagram_received} outside its {@code try}: a protocol
     * that throws is reported by the loop and the endpoint receives on. It used to be a fatal error:
     * one bad datagram closed a UDP server.
     */
    @Test
    public void anEndpointWhoseProtocolThrowsOnceReceivesOn() {
        List<Map<String, Object>> reported = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        IllegalStateException bad = new IllegalStateException("a bad datagram");
        CollectingDatagrams received = new CollectingDatagrams(2) {
            private boolean thrown;

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress from) {
                super.datagramReceived(data, from);
                if (!thrown) {
                    thrown = true;
                    throw bad;
                }
            }
        };
        DatagramEndpoint<CollectingDatagrams> server = runFor(loop.createDatagramEndpoint(() -> received,
                new InetSocketAddress(LOCALHOST, 0), null));
        CollectingDatagrams answers = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> client = connectTo(sockname(server), answers);
        client.transport().sendto(new byte[] {1}, null);
        client.transport().sendto(new byte[] {2}, null);
        List<byte[]> both = runFor(received.all);
        assertArrayEquals(new byte[] {2}, both.get(1));
        assertFalse("the endpoint is still open: " + received.lost.getNow(null), server.transport().isClosing());
        assertEquals(1, reported.size());
        assertSame(bad, reported.get(0).get("exception"));
        client.transport().close();
        close(server);
    }

    /**
     * {@code sockRecvfrom} and {@code sockSendto} refuse the socket of an endpoint that is not closing,
     * in asyncio's words (its {@code RuntimeError} from {@code _ensure_fd_no_transport}): a
     * {@code sockRecvfrom} took the transport's reader, and the endpoint heard of no datagram again.
     * Refused, the endpoint keeps receiving; once it is closing, they are let through.
     */
    @Test
    public void sockRecvfromAndSockSendtoRefuseTheSocketOfAnEndpointInAsynciosWords() throws Exception {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = connectTo(sockname(server), client);
        DatagramTransport transport = endpoint.transport();
        NetworkChannel socket = socketOf(transport);
        String expected = "File descriptor " + socket + " is used by transport " + transport;
        assertEquals(expected, assertThrows(IllegalStateException.class, () -> loop.sockRecvfrom(socket, 100)).getMessage());
        assertEquals(expected, assertThrows(IllegalStateException.class,
                () -> loop.sockSendto(socket, ByteBuffer.allocate(1), sockname(server))).getMessage());
        transport.sendto(new byte[] {7}, null);
        assertArrayEquals("the endpoint still reads its socket", new byte[] {7}, runFor(client.all).get(0));
        transport.close(); // its connectionLost, which closes the socket, runs at the next iteration
        if (socket instanceof DatagramChannel) { // a socket of the epoll loop's own is no DatagramChannel
            LoopFuture<Datagram> receiving = loop.sockRecvfrom(socket, 100);
            assertTrue(receiving.cancel(false));
        }
        runFor(client.lost);
        assertFalse("the loop forgets the socket once the connection is lost", loop.transportUsing(socket).isPresent());
        close(server);
    }

    // ---- leaks ------------------------------------------------------------------------------------------

    @Test
    public void aClosedEndpointReleasesItsSocketWhileTheLoopLivesOn() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST); // the loop's own descriptors exist now
        Map<Integer, String> before = Leaks.openFds();
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = connectTo(sockname(server), client);
        endpoint.transport().sendto(new byte[] {1}, null);
        runFor(client.all);
        endpoint.transport().close();
        runFor(client.lost);
        // The JDK closes a registered channel's descriptor at the next select of its selector: the
        // loop's own one blocks once more here (a timer, no timing asserted); a helper's is woken.
        CompletableFuture<Void> selectedAgain = new CompletableFuture<>();
        loop.callLater(0.05, () -> selectedAgain.complete(null));
        runFor(selectedAgain);
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(before));
        close(server);
    }

    @Test
    public void closingTheLoopReleasesItsEndpointsAndThreads() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = connectTo(sockname(server), client);
        endpoint.transport().sendto(new byte[] {1}, null);
        runFor(client.all);
        loop.close();
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
        String poller = "loopkit-channelpoller-" + loop.id();
        assertTrue("threads left: " + Leaks.threads(poller), Leaks.await(() -> Leaks.threads(poller).isEmpty(), 10));
    }

    /**
     * A protocol factory that throws an {@link Error} (a {@code StackOverflowError} from deep user code,
     * which the loop treats as a callback's error, not as fatal) leaves no socket behind: none is made
     * into a transport, so nothing else would ever close it, not even the loop's close (an outside
     * review of descriptor ownership: the accept path closes its connection on an Error, this one leaked
     * its UDP socket for the life of the JVM).
     */
    @Test
    public void aProtocolFactoryThrowingAnErrorLeavesNoSocketOpen() {
        for (DatagramOptions options : List.of(DatagramOptions.defaults().withFamily(StandardProtocolFamily.INET),
                DatagramOptions.defaults())) {
            CompletableFuture<Throwable> failed = new CompletableFuture<>();
            loop.setExceptionHandler((l, context) -> { }); // the Error is also the loop's to report
            try {
                SocketAddress local = options.family() == null ? new InetSocketAddress(LOCALHOST, 0) : null;
                loop.<DatagramProtocol>createDatagramEndpoint(() -> {
                    throw new StackOverflowError("deep user code");
                }, local, null, options).whenComplete((ok, error) -> failed.complete(error));
                loop.callLater(0.05, () -> failed.complete(null)); // a failure that never came
                runFor(failed);
            } catch (StackOverflowError thrownAtOnce) {
                // without addresses the endpoint is made in the call
            }
        }
        loop.close();
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    // ---- against bad luck and bad input (an outside review) ------------------------------------------

    /** A port nobody listens on: bound, then closed. */
    private static InetSocketAddress closedUdpPort() throws IOException {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress(LOCALHOST, 0));
            return (InetSocketAddress) probe.getLocalAddress();
        }
    }

    /**
     * asyncio: a connected endpoint that sends to a closed port gets the ICMP "port unreachable" as
     * ConnectionRefusedError ([Errno 111] Connection refused) in error_received, and stays open. As the
     * JDK's {@code PortUnreachableException} on every loop: the epoll loop's said its own {@code
     * PosixException}, which a protocol testing for the JDK's type missed (the network review).
     */
    @Test
    public void icmpPortUnreachableOnAConnectedEndpointReachesErrorReceived() throws IOException {
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = connectTo(closedUdpPort(), client);
        endpoint.transport().sendto("nobody".getBytes(StandardCharsets.US_ASCII), null);
        Exception error = runFor(client.error);
        assertTrue(error.toString(), error instanceof java.net.PortUnreachableException);
        assertFalse(endpoint.transport().isClosing());
        assertEquals("Connection refused", error.getMessage());
        close(endpoint);
        assertEquals(1, client.lostCalls);
    }

    /** error_received that closes its transport: connection_lost once, nothing reported. */
    @Test
    public void errorReceivedThatClosesTheTransportLosesItOnce() throws IOException {
        CompletableFuture<Exception> lost = new CompletableFuture<>();
        int[] calls = {0, 0};
        DatagramProtocol closer = new DatagramProtocol() {
            DatagramTransport transport;

            @Override
            public void connectionMade(DatagramTransport made) {
                transport = made;
                made.sendto(new byte[] {1}, null);
            }

            @Override
            public void errorReceived(Exception exc) {
                calls[0]++;
                transport.close();
                transport.sendto(new byte[] {2}, null); // after close: dropped quietly
            }

            @Override
            public void connectionLost(Exception exc) {
                calls[1]++;
                lost.complete(exc);
            }
        };
        connectTo(closedUdpPort(), closer);
        assertNull(runFor(lost));
        runFor(quietTurn());
        assertEquals(1, calls[0]);
        assertEquals(1, calls[1]);
    }

    /**
     * asyncio: sendto on an endpoint without a remote address after it was lost tries the closed socket
     * and passes the OSError (EBADF) to error_received; nothing is thrown at the caller.
     */
    @Test
    public void sendtoOnAnUnconnectedEndpointAfterItsLossThrowsNothing() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = runFor(loop.createDatagramEndpoint(() -> client,
                new InetSocketAddress(LOCALHOST, 0), null));
        endpoint.transport().close();
        assertNull(runFor(client.lost));
        endpoint.transport().sendto(new byte[] {1}, sockname(server));
        runFor(quietTurn());
        assertTrue(client.errors.toString(), client.errors.size() <= 1);
        close(server);
    }

    /** A protocol that stops the loop from datagramReceived: the next run goes on receiving, nothing lost. */
    @Test
    public void stoppingTheLoopFromDatagramReceivedLosesNothing() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        List<String> got = new ArrayList<>();
        DatagramProtocol stopper = new DatagramProtocol() {
            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress addr) {
                got.add(StandardCharsets.US_ASCII.decode(data).toString());
                loop.stop();
            }
        };
        DatagramEndpoint<DatagramProtocol> endpoint = connectTo(sockname(server), stopper);
        for (int i = 0; i < 5; i++) {
            endpoint.transport().sendto(("d" + i).getBytes(StandardCharsets.US_ASCII), null);
        }
        for (int i = 0; i < 20 && got.size() < 5; i++) {
            loop.runForever();
        }
        assertEquals(List.of("d0", "d1", "d2", "d3", "d4"), got);
        close(server, endpoint);
    }

    /** The receive buffer's bytes belong to the protocol only during the call; a datagram larger than bufsize of sockRecvfrom is cut. */
    @Test
    public void sockRecvfromCancelledThenClosedLeavesNothingWatched() throws IOException {
        try (DatagramChannel a = DatagramChannel.open()) {
            a.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            LoopFuture<Datagram> waiting = loop.sockRecvfrom(a, 10);
            runFor(quietTurn());
            assertTrue(waiting.cancel(false));
            runFor(quietTurn());
            LoopFuture<Datagram> again = loop.sockRecvfrom(a, 10);
            try (DatagramChannel b = DatagramChannel.open()) {
                b.send(ByteBuffer.wrap(new byte[] {5, 6}), a.getLocalAddress());
            }
            Datagram got = runFor(again);
            assertEquals(2, got.data().remaining());
        }
    }

    /** sockSendto to an address of the other family: an error on the future, not thrown, as asyncio's coroutine raises it when awaited. */
    @Test
    public void sockSendtoToAnotherFamilyFailsTheFuture() throws IOException {
        try (DatagramChannel a = DatagramChannel.open(StandardProtocolFamily.INET)) {
            a.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            LoopFuture<Integer> sending;
            try {
                sending = loop.sockSendto(a, ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress("::1", 9));
            } catch (RuntimeException thrown) {
                throw new AssertionError("thrown at the caller instead of failing the future: " + thrown, thrown);
            }
            CompletionException failed = assertThrows(CompletionException.class, () -> runFor(sending));
            assertEquals("Address family not supported by protocol", failed.getCause().getMessage());
        }
    }

    /**
     * sockSendto on a connected channel to another address: Linux's sendto(2) takes it, a JDK
     * DatagramChannel refuses it; the refusal fails the future, it is not thrown at the caller
     * (ASYNCIO-DIFFERENCES).
     */
    @Test
    public void sockSendtoOnAConnectedChannelToAnotherAddressFailsTheFuture() throws IOException {
        try (DatagramChannel a = DatagramChannel.open(); DatagramChannel b = DatagramChannel.open();
                DatagramChannel c = DatagramChannel.open()) {
            a.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            b.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            c.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            a.connect(b.getLocalAddress());
            LoopFuture<Integer> sending;
            try {
                sending = loop.sockSendto(a, ByteBuffer.wrap(new byte[] {1}), c.getLocalAddress());
            } catch (RuntimeException thrown) {
                throw new AssertionError("thrown at the caller instead of failing the future: " + thrown, thrown);
            }
            CompletionException failed = assertThrows(CompletionException.class, () -> runFor(sending));
            assertTrue(String.valueOf(failed.getCause()), failed.getCause() instanceof IOException);
        }
    }

    /** connectionMade that closes at once: connectionLost once, no datagram after. */
    @Test
    public void connectionMadeThatClosesLosesOnceAndReceivesNothing() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        int[] calls = {0, 0};
        CompletableFuture<Exception> lost = new CompletableFuture<>();
        DatagramProtocol closer = new DatagramProtocol() {
            @Override
            public void connectionMade(DatagramTransport made) {
                made.sendto(new byte[] {1}, null);
                made.close();
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress addr) {
                calls[0]++;
            }

            @Override
            public void connectionLost(Exception exc) {
                calls[1]++;
                lost.complete(exc);
            }
        };
        connectTo(sockname(server), closer);
        assertNull(runFor(lost));
        CompletableFuture<Void> later = new CompletableFuture<>();
        loop.callLater(0.1, () -> later.complete(null));
        runFor(later);
        assertEquals(0, calls[0]);
        assertEquals(1, calls[1]);
        close(server);
    }

    /** abort() from datagramReceived while more datagrams wait in the socket: none of them is delivered. */
    @Test
    public void abortFromDatagramReceivedDeliversNoMore() throws IOException {
        List<String> got = new ArrayList<>();
        CompletableFuture<Exception> lost = new CompletableFuture<>();
        DatagramProtocol aborter = new DatagramProtocol() {
            DatagramTransport transport;

            @Override
            public void connectionMade(DatagramTransport made) {
                transport = made;
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress addr) {
                got.add(StandardCharsets.US_ASCII.decode(data).toString());
                transport.abort();
            }

            @Override
            public void connectionLost(Exception exc) {
                lost.complete(exc);
            }
        };
        DatagramEndpoint<DatagramProtocol> endpoint = runFor(loop.createDatagramEndpoint(() -> aborter,
                new InetSocketAddress(LOCALHOST, 0), null));
        try (DatagramChannel sender = DatagramChannel.open()) {
            for (int i = 0; i < 5; i++) {
                sender.send(ByteBuffer.wrap(("d" + i).getBytes(StandardCharsets.US_ASCII)), sockname(endpoint));
            }
        }
        assertNull(runFor(lost));
        runFor(quietTurn());
        assertEquals(List.of("d0"), got);
    }

    /** A protocol callback that tries to close the running loop: refused with asyncio's words, the loop runs on. */
    @Test
    public void closingTheLoopFromDatagramReceivedIsRefused() {
        DatagramEndpoint<DatagramEcho> server = echoServer(LOCALHOST);
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        DatagramProtocol closer = new DatagramProtocol() {
            @Override
            public void connectionMade(DatagramTransport made) {
                made.sendto(new byte[] {1}, null);
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress addr) {
                try {
                    loop.close();
                    refused.complete(null);
                } catch (RuntimeException e) {
                    refused.complete(e);
                }
            }
        };
        DatagramEndpoint<DatagramProtocol> endpoint = connectTo(sockname(server), closer);
        Throwable got = runFor(refused);
        assertTrue(String.valueOf(got), got instanceof RuntimeException);
        assertEquals("Cannot close a running event loop", got.getMessage());
        close(server, endpoint);
    }

    /** The user closes the channel while a sockRecvfrom waits: the future fails instead of waiting for good. */
    @Test
    public void closingTheChannelWhileSockRecvfromWaitsEndsIt() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
        LoopFuture<Datagram> receiving = loop.sockRecvfrom(channel, 100);
        CompletableFuture<Void> turned = new CompletableFuture<>();
        loop.callSoon(() -> loop.callSoon(() -> turned.complete(null)));
        runFor(turned);
        channel.close();
        Object got = runFor(outcomeOf(receiving, 2));
        assertTrue(String.valueOf(got), got instanceof ClosedChannelException);
    }

    /** sockRecvfrom on a connected channel whose peer's port is closed: asyncio's ConnectionRefusedError words. */
    @Test
    public void sockRecvfromAfterPortUnreachableFailsInTheCLibrarysWords() throws IOException {
        try (DatagramChannel a = DatagramChannel.open()) {
            a.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
            a.connect(closedUdpPort());
            LoopFuture<Datagram> receiving = loop.sockRecvfrom(a, 100);
            runFor(loop.sockSendto(a, ByteBuffer.wrap(new byte[] {1}), a.getRemoteAddress()));
            CompletionException failed = assertThrows(CompletionException.class, () -> runFor(receiving));
            assertEquals("Connection refused", failed.getCause().getMessage());
        }
    }
}
