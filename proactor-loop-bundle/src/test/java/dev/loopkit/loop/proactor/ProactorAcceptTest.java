package dev.loopkit.loop.proactor;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Server;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.api.Transport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.transports.AbstractServer;
import dev.loopkit.loop.testing.EchoProtocol;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LoopTestSupport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Many accepts pending at once on a completion-based loop: on many listening sockets, each with a
 * {@code sockAccept}; a burst of connections on one server; and what a second {@code sockAccept} on
 * the same socket does.
 */
public class ProactorAcceptTest extends LoopTestSupport {

    private static final String LOCALHOST = "127.0.0.1";

    @BeforeClass
    public static void connectOnceBeforeCountingDescriptors() throws Exception {
        ProactorSockets.connectOnce();
    }

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    private ProactorEventLoop proactor() {
        return (ProactorEventLoop) loop;
    }

    private AsynchronousServerSocketChannel listener() throws IOException {
        return ProactorSockets.listener(proactor());
    }

    @Test
    public void fiftyListenersEachWithAPendingAcceptAllAcceptTheirConnection() throws Exception {
        int count = 50;
        List<AsynchronousServerSocketChannel> listeners = new ArrayList<>();
        List<LoopFuture<NetworkChannel>> accepts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            listeners.add(listener());
            accepts.add(loop.sockAccept(listeners.get(i)));
        }
        // every connect is started before any completes
        List<AsynchronousSocketChannel> clients = new ArrayList<>();
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AsynchronousSocketChannel client = proactor().openSocketChannel();
            clients.add(client);
            ByteBuffer index = ByteBuffer.wrap(new byte[] {(byte) i});
            sent.add(loop.sockConnect(client, listeners.get(i).getLocalAddress()).toCompletableFuture()
                    .thenCompose(connected -> loop.sockSendall(client, index)));
        }
        runFor(CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)));
        List<CompletableFuture<Integer>> received = new ArrayList<>();
        for (LoopFuture<NetworkChannel> accept : accepts) {
            received.add(accept.toCompletableFuture().thenCompose(accepted -> {
                ByteBuffer into = ByteBuffer.allocate(1);
                return loop.sockRecv(accepted, into).thenApply(read -> read == 1 ? (int) into.get(0) : -1);
            }).toCompletableFuture());
        }
        runFor(CompletableFuture.allOf(received.toArray(CompletableFuture[]::new)));
        for (int i = 0; i < count; i++) {
            AsynchronousSocketChannel accepted = (AsynchronousSocketChannel) accepts.get(i).result();
            assertEquals("listener " + i + " accepted its own client", clients.get(i).getLocalAddress(), accepted.getRemoteAddress());
            assertEquals(Integer.valueOf(i), received.get(i).join());
            accepted.close();
            clients.get(i).close();
            listeners.get(i).close();
        }
        loop.close();
        assertEquals(List.of(), Leaks.threads("loopkit-proactor-" + loop.id() + "-"));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    @Test
    public void aBurstOfTwoHundredConnectionsOnOneServerIsAllAccepted() throws Exception {
        int threads = 4;
        int perThread = 50;
        List<Transport> made = new ArrayList<>(); // loop thread only
        Server server = runFor(loop.createServer(() -> new EchoProtocol() {
            @Override
            public void connectionMade(Transport transport) {
                super.connectionMade(transport);
                made.add(transport);
            }
        }, LOCALHOST, 0, ServerOptions.defaults().withBacklog(256))); // the test is about accepting, not SYN retries
        int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
        // Plain blocking clients on their own threads: the connections arrive as fast as the kernel
        // takes them, racing the accept that each completion starts again on the group's thread.
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t * perThread;
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread client = new Thread(() -> {
                try {
                    start.await();
                    connectAllThenEcho(port, first, perThread);
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }, "test-burst-client-" + t);
            client.start();
            clients.add(done);
        }
        start.countDown();
        runFor(CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)));
        assertEquals(threads * perThread, made.size());
        assertEquals(threads * perThread, made.stream().distinct().count());
        server.close();
        runFor(server.waitClosed()); // the clients closed: every transport goes
        assertEquals(0, ((AbstractServer) server).activeCount());
    }

    /** Opens every connection first, so they are all waiting to be accepted, then checks each echoes. */
    private static void connectAllThenEcho(int port, int first, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(10)); // fail instead of hanging
                socket.connect(new InetSocketAddress(LOCALHOST, port), 10_000);
            }
            for (int i = 0; i < count; i++) {
                byte[] message = ("client " + (first + i)).getBytes(StandardCharsets.US_ASCII);
                sockets.get(i).getOutputStream().write(message);
                assertArrayEquals(message, sockets.get(i).getInputStream().readNBytes(message.length));
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    public void aSecondSockAcceptOnTheSameSocketFailsClearlyAndTheFirstGoesOn() throws Exception {
        AsynchronousServerSocketChannel listener = listener();
        LoopFuture<NetworkChannel> first = loop.sockAccept(listener);
        LoopFuture<NetworkChannel> second = loop.sockAccept(listener);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> runFor(second));
        assertEquals("sockAccept() called while another sockAccept() is pending on the same socket: "
                + "the proactor runs one at a time per socket", refused.getMessage());
        assertTrue(refused.getCause() instanceof AcceptPendingException);
        assertFalse("the first accept is still pending", first.isDone());
        assertTrue("the refusal does not close the socket", listener.isOpen());

        AsynchronousSocketChannel client = proactor().openSocketChannel();
        runFor(loop.sockConnect(client, listener.getLocalAddress()));
        AsynchronousSocketChannel accepted = (AsynchronousSocketChannel) runFor(first);
        assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());

        // once the first completed, the next accept is welcome
        AsynchronousSocketChannel another = proactor().openSocketChannel();
        LoopFuture<NetworkChannel> third = loop.sockAccept(listener);
        runFor(loop.sockConnect(another, listener.getLocalAddress()));
        assertEquals(another.getLocalAddress(), ((AsynchronousSocketChannel) runFor(third)).getRemoteAddress());
        assertSame(loop, third.getLoop());
        for (NetworkChannel channel : List.of(client, accepted, another, (NetworkChannel) third.result(), listener)) {
            channel.close();
        }
    }
}
