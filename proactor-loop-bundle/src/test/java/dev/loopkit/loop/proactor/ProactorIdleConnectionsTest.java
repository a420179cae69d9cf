package dev.loopkit.loop.proactor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LoopTestSupport;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Test;

/**
 * What an idle connection costs on the proactor loop: its pending read holds a buffer the whole
 * time. Counted as the capacity of the read buffers the server's transports hold, which is
 * deterministic (a heap or RSS figure would depend on the collector).
 */
public class ProactorIdleConnectionsTest extends LoopTestSupport {

    private static final int CONNECTIONS = 2_000;

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    @Test
    public void anIdleConnectionHoldsASmallReadBuffer() throws Exception {
        List<ProactorSocketTransport> accepted = new ArrayList<>();
        CompletableFuture<Void> allMade = new CompletableFuture<>();
        Server server = runFor(loop.createServer(() -> new Protocol() {
            @Override
            public void connectionMade(Transport transport) {
                accepted.add((ProactorSocketTransport) transport);
                if (accepted.size() == CONNECTIONS) {
                    allMade.complete(null);
                }
            }
        }, "127.0.0.1", 0));
        int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
        // The connector adds, the finally reads: after a failed run (a timeout) the connector may still
        // be adding, and an ArrayList's iterator threw ConcurrentModificationException, hiding the failure
        List<Socket> clients = new CopyOnWriteArrayList<>();
        try {
            Thread connector = new Thread(() -> {
                try {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        clients.add(new Socket("127.0.0.1", port));
                    }
                } catch (Exception e) {
                    allMade.completeExceptionally(e);
                }
            }, "connector");
            connector.start();
            runFor(allMade);
            connector.join();
            CompletableFuture<Long> held = new CompletableFuture<>();
            loop.callSoon(() -> held.complete(accepted.stream().mapToLong(ProactorSocketTransport::readBufferCapacity).sum()));
            long perConnection = runFor(held) / CONNECTIONS;
            assertTrue("read buffer bytes held per idle connection: " + perConnection, perConnection <= 4 * 1024);
            assertEquals(ReadSizeGuess.INITIAL, perConnection);
        } finally {
            for (Socket client : clients) {
                client.close();
            }
            server.close();
            runFor(server.waitClosed());
        }
    }

    @Test
    public void theBufferGrowsForABulkTransferAndTheBytesArriveWhole() throws Exception {
        byte[] sent = new byte[1024 * 1024];
        new Random(7).nextBytes(sent);
        ByteBuffer received = ByteBuffer.allocate(sent.length);
        CompletableFuture<Integer> largest = new CompletableFuture<>();
        List<ProactorSocketTransport> transport = new ArrayList<>();
        Server server = runFor(loop.createServer(() -> new Protocol() {
            int max;

            @Override
            public void connectionMade(Transport t) {
                transport.add((ProactorSocketTransport) t);
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                max = Math.max(max, transport.get(0).readBufferCapacity());
                received.put(data);
                if (!received.hasRemaining()) {
                    largest.complete(max);
                }
            }
        }, "127.0.0.1", 0));
        int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
        try (Socket client = new Socket("127.0.0.1", port)) {
            Thread writer = new Thread(() -> {
                try {
                    client.getOutputStream().write(sent);
                } catch (Exception e) {
                    largest.completeExceptionally(e);
                }
            }, "writer");
            writer.start();
            int largestBuffer = runFor(largest);
            assertTrue("a megabyte in a row makes the buffer grow: " + largestBuffer, largestBuffer > ReadSizeGuess.INITIAL);
            writer.join();
            assertTrue(Arrays.equals(sent, received.array()));
        } finally {
            server.close();
            runFor(server.waitClosed());
        }
    }
}
