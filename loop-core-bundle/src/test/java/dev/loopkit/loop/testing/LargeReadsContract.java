package dev.loopkit.loop.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.BufferedProtocol;
import dev.loopkit.api.Connection;
import dev.loopkit.api.Datagram;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.junit.Test;

/**
 * Reads into a heap buffer of many MiB ({@code sockRecv}, {@code sockRecvfrom}, a {@code BufferedProtocol}'s
 * buffer) keep no direct memory of its size. A JDK channel reads into a temporary direct buffer of the heap
 * buffer's whole room, whatever arrives, and keeps it for the thread until the thread ends: a host's pool
 * threads that once received into a 16 MiB buffer kept 16 MiB of direct memory each, for good (an outside
 * review of retention: 128 MiB over eight threads). Run by a subclass per loop.
 */
public abstract class LargeReadsContract extends SocketTestSupport {

    private static final int SIZE = 16 << 20;
    /** What a loop may keep: its read buffer, its pooled write chunks, the JDK's buffers for one small write. */
    private static final long DIRECT_KEPT_AT_MOST = 8 << 20;
    private static final String HELLO = "hello";

    /** A stream socket of the kind this loop's {@code sock*} calls take, not yet connected: a non-blocking JDK one. */
    protected NetworkChannel openStreamSocket() throws IOException {
        SocketChannel socket = SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
    }

    private static void onAThreadOfItsOwn(Callable<Void> body) throws Exception {
        DirectMemory.onAThreadOfItsOwn(body, 2 * HANG_GUARD_SECONDS);
    }

    private static void assertNoDirectMemoryOfItsSizeKept(long before) {
        long kept = DirectMemory.inUse() - before;
        assertTrue("direct memory kept after a read into " + SIZE + " bytes: " + kept, kept <= DIRECT_KEPT_AT_MOST);
    }

    /** Says hello to whoever connects. */
    private static final class Greeter implements Protocol {
        @Override
        public void connectionMade(Transport transport) {
            transport.write(ByteBuffer.wrap(HELLO.getBytes(US_ASCII)));
        }
    }

    /** Reads into one heap buffer of {@link #SIZE} bytes; completes with what the first read gave. */
    private static final class LargeBufferReader implements BufferedProtocol {
        final ByteBuffer buffer = ByteBuffer.allocate(SIZE);
        final CompletableFuture<String> first = new CompletableFuture<>();

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            return buffer.clear();
        }

        @Override
        public void bufferUpdated(int nbytes) {
            first.complete(new String(buffer.array(), 0, nbytes, US_ASCII));
        }
    }

    private static InetSocketAddress greeterAt(Server server) throws IOException {
        return (InetSocketAddress) server.sockets().get(0).localAddress();
    }

    @Test
    public void aSockRecvIntoALargeHeapBufferKeepsNoDirectMemoryOfItsSize() throws Exception {
        onAThreadOfItsOwn(() -> {
            Server server = runFor(loop.createServer(Greeter::new, LOCALHOST, 0));
            NetworkChannel socket = openStreamSocket();
            try {
                runFor(loop.sockConnect(socket, greeterAt(server)));
                long before = DirectMemory.inUse();
                ByteBuffer into = ByteBuffer.allocate(SIZE);
                int read = runFor(loop.sockRecv(socket, into));
                assertEquals(HELLO.substring(0, read), new String(into.array(), 0, read, US_ASCII));
                assertNoDirectMemoryOfItsSizeKept(before);
            } finally {
                socket.close();
            }
            server.close();
            runFor(server.waitClosed());
            return null;
        });
    }

    @Test
    public void aSockRecvfromOfALargeSizeKeepsNoDirectMemoryOfItsSize() throws Exception {
        onAThreadOfItsOwn(() -> {
            try (DatagramChannel sender = DatagramChannel.open(); DatagramChannel receiver = DatagramChannel.open()) {
                sender.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
                receiver.bind(new InetSocketAddress(LOCALHOST, 0)).configureBlocking(false);
                runFor(loop.sockSendto(sender, ByteBuffer.wrap(HELLO.getBytes(US_ASCII)), receiver.getLocalAddress()));
                long before = DirectMemory.inUse();
                Datagram got = runFor(loop.sockRecvfrom(receiver, SIZE));
                assertEquals(HELLO, US_ASCII.decode(got.data()).toString());
                assertNoDirectMemoryOfItsSizeKept(before);
            }
            return null;
        });
    }

    @Test
    public void aBufferedProtocolsLargeHeapBufferKeepsNoDirectMemoryOfItsSize() throws Exception {
        onAThreadOfItsOwn(() -> {
            Server server = runFor(loop.createServer(Greeter::new, LOCALHOST, 0));
            LargeBufferReader reader = new LargeBufferReader();
            long before = DirectMemory.inUse();
            Connection<LargeBufferReader> client = runFor(loop.createConnection(() -> reader, LOCALHOST,
                    greeterAt(server).getPort()));
            String first = runFor(reader.first);
            assertTrue(first, HELLO.startsWith(first) && !first.isEmpty());
            assertNoDirectMemoryOfItsSizeKept(before);
            client.transport().close();
            server.close();
            runFor(server.waitClosed());
            return null;
        });
    }
}
