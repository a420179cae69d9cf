package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Connection;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import dev.loopkit.posix.Posix;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.util.Random;
import java.util.concurrent.Callable;
import org.junit.Test;

/**
 * Writes of many MiB from one heap buffer, through a transport, {@code sockSendall} and a write pipe:
 * every byte arrives once and in order, and no direct memory of the write's size stays behind. A
 * channel copies a heap buffer's remaining bytes at every write, whatever the socket takes: the JDK
 * into a temporary direct buffer it then keeps for the thread, jnr-ffi into native memory. A 64 MiB
 * write kept whole copied its rest again at each partial write (10 to 13 s through a write pipe,
 * asyncio 0.08 s; 256 MiB through a TCP transport 3.1 s on the selector loop, 9 s on the epoll loop,
 * asyncio 0.57 s), and the thread that wrote it kept 64 MiB of direct memory for good (an outside
 * review). The direct memory kept shows the JDK's copies: every loop's {@code sockSendall} (to a JDK
 * socket) and the selector and proactor loops' transports; the epoll loop's own sockets and every
 * write pipe go through jnr-ffi, whose copies {@code FdAndEpollTest} checks, and here only lose nothing.
 * Run by a subclass per loop.
 */
public abstract class LargeWritesContract extends SocketTestSupport {

    private static final int SIZE = 16 << 20;
    /** What a loop may keep: its read buffer, its pooled write chunks, the JDK's buffers for one gathering write. */
    private static final long DIRECT_KEPT_AT_MOST = 8 << 20;

    /** A stream socket of the kind this loop's {@code sock*} calls take, not yet connected: a non-blocking JDK one. */
    protected NetworkChannel openStreamSocket() throws IOException {
        java.nio.channels.SocketChannel socket = java.nio.channels.SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
    }

    private static byte[] content(long seed) {
        byte[] bytes = new byte[SIZE];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void onAThreadOfItsOwn(Callable<Void> body) throws Exception {
        DirectMemory.onAThreadOfItsOwn(body, 2 * HANG_GUARD_SECONDS);
    }

    private void assertNoDirectMemoryOfItsSizeKept(long before) {
        long kept = DirectMemory.inUse() - before;
        assertTrue("direct memory kept after a " + SIZE + "-byte write: " + kept, kept <= DIRECT_KEPT_AT_MOST);
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
            Server server = runFor(loop.createServer(() -> receiver, LOCALHOST, 0));
            NetworkChannel socket = openStreamSocket();
            try {
                runFor(loop.sockConnect(socket, server.sockets().get(0).localAddress()));
                long before = DirectMemory.inUse();
                runFor(loop.sockSendall(socket, ByteBuffer.wrap(content)));
                assertArrayEquals(content, runFor(receiver.all));
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
}
