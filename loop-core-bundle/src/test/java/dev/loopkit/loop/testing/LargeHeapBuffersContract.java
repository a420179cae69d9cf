package dev.loopkit.loop.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.BufferedProtocol;
import dev.loopkit.api.Connection;
import dev.loopkit.api.Datagram;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import dev.loopkit.posix.Posix;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.Test;

/**
 * Writes of many MiB from one heap buffer, and reads into one, through a transport, the {@code sock*}
 * calls and a write pipe. A JDK channel copies a heap buffer through a temporary direct buffer of the
 * buffer's whole remaining size at every write or read, whatever the socket takes or gives, and keeps it
 * for the thread until the thread ends; jnr-ffi copies into native memory. Writes: every byte arrives
 * once and in order, and no direct memory of the write's size stays behind. A 64 MiB write kept whole
 * copied its rest again at each partial write (10 to 13 s through a write pipe, asyncio 0.08 s; 256 MiB
 * through a TCP transport 3.1 s on the selector loop, 9 s on the epoll loop, asyncio 0.57 s), and the
 * thread that wrote it kept 64 MiB of direct memory for good (an outside review). The direct memory kept
 * shows the JDK's copies: every loop's {@code sockSendall} (to a JDK socket) and the selector and proactor
 * loops' transports; the epoll loop's own sockets and every write pipe go through jnr-ffi, whose copies
 * {@code FdAndEpollTest} checks, and here only lose nothing. Reads ({@code sockRecv}, {@code sockRecvfrom},
 * a {@code BufferedProtocol}'s buffer): a host's pool threads that once received into a 16 MiB buffer kept
 * 16 MiB of direct memory each, however little arrived (a review of retention: 128 MiB over eight
 * threads). Run by a subclass per loop.
 */
public abstract class LargeHeapBuffersContract extends SocketTestSupport {

    private static final int SIZE = 16 << 20;
    /** What a loop may keep: its read buffer, its pooled write chunks, the JDK's buffers for one gathering write. */
    private static final long DIRECT_KEPT_AT_MOST = 8 << 20;
    private static final String HELLO = "hello";

    /** A stream socket of the kind this loop's {@code sock*} calls take, not yet connected: a non-blocking JDK one. */
    protected NetworkChannel openStreamSocket() throws IOException {
        SocketChannel socket = SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
    }

    private static byte[] content(long seed) {
        byte[] bytes = new byte[SIZE];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @FunctionalInterface
    private interface WithSocket {
        void run(NetworkChannel socket) throws Exception;
    }

    /** Runs {@code body} with a socket of {@link #openStreamSocket()}'s kind connected to a server of {@code protocols}, then closes both. */
    private <P extends Protocol> void withASocketConnectedTo(Supplier<P> protocols, WithSocket body) throws Exception {
        Server server = runFor(loop.createServer(protocols, LOCALHOST, 0));
        NetworkChannel socket = openStreamSocket();
        try {
            runFor(loop.sockConnect(socket, server.sockets().get(0).localAddress()));
            body.run(socket);
        } finally {
            socket.close();
        }
        server.close();
        runFor(server.waitClosed());
    }

    private static void onAThreadOfItsOwn(Callable<Void> body) throws Exception {
        DirectMemory.onAThreadOfItsOwn(body, 2 * HANG_GUARD_SECONDS);
    }

    private void assertNoDirectMemoryOfItsSizeKept(long before) {
        long kept = DirectMemory.inUse() - before;
        assertTrue("direct memory kept after a transfer of " + SIZE + " bytes: " + kept, kept <= DIRECT_KEPT_AT_MOST);
    }

    @Test
    public void aLargeWriteThroughATransportArrivesWholeAndKeepsNoDirectMemoryOfItsSize() throws Exception {
        onAThreadOfItsOwn(() -> {
            byte[] content = content(1);
            CollectingProtocol receiver = new CollectingProtocol(SIZE, false);
            Server server = runFor(loop.createServer(() -> receiver, LOCALHOST, 0));
            int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
            Connection<CollectingProtocol> client = runFor(loop.createConnection(() -> new CollectingProtocol(0, false), LOCALHOST, port));
            long before = DirectMemory.inUse();
            client.transport().write(ByteBuffer.wrap(content));
            assertArrayEquals(content, runFor(receiver.all));
            assertNoDirectMemoryOfItsSizeKept(before);
            client.transport().close();
            server.close();
            runFor(server.waitClosed());
            return null;
        });
    }

    @Test
    public void aLargeSockSendallArrivesWholeAndKeepsNoDirectMemoryOfItsSize() throws Exception {
        onAThreadOfItsOwn(() -> {
            byte[] content = content(2);
            CollectingProtocol receiver = new CollectingProtocol(SIZE, false);
            withASocketConnectedTo(() -> receiver, socket -> {
                long before = DirectMemory.inUse();
                runFor(loop.sockSendall(socket, ByteBuffer.wrap(content)));
                assertArrayEquals(content, runFor(receiver.all));
                assertNoDirectMemoryOfItsSizeKept(before);
            });
            return null;
        });
    }

    @Test
    public void aLargeWriteThroughAWritePipeArrivesWhole() throws Exception {
        byte[] content = content(3);
        int[] pipe = Posix.get().pipe();
        CollectingProtocol reader = new CollectingProtocol(SIZE, false);
        runFor(loop.connectReadPipe(() -> reader, pipe[0]));
        Transport writer = runFor(loop.connectWritePipe(() -> new CollectingProtocol(0, false), pipe[1])).transport();
        writer.write(ByteBuffer.wrap(content));
        writer.close();
        assertArrayEquals(content, runFor(reader.all));
        runFor(reader.eof);
    }

    // ---- reads into a large heap buffer ----------------------------------------------------------------

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

    @Test
    public void aSockRecvIntoALargeHeapBufferKeepsNoDirectMemoryOfItsSize() throws Exception {
        onAThreadOfItsOwn(() -> {
            withASocketConnectedTo(Greeter::new, socket -> {
                long before = DirectMemory.inUse();
                ByteBuffer into = ByteBuffer.allocate(SIZE);
                int read = runFor(loop.sockRecv(socket, into));
                assertEquals(HELLO.substring(0, read), new String(into.array(), 0, read, US_ASCII));
                assertNoDirectMemoryOfItsSizeKept(before);
            });
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
                    ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort()));
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
