package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Server;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.CollectingProtocol;
import dev.loopkit.loop.testing.SendfileContract;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.FileChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.Test;

/** sendfile on the epoll loop: zero-copy, {@code sendfile(2)} from the file to its native sockets. */
public class EpollSendfileTest extends SendfileContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Override
    protected boolean sendsFilesZeroCopy() {
        return true;
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        SocketChannel socket = SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
    }

    /** The loop's own sockets are no JDK channels: {@code sockSendfile} sends to them with {@code sendfile(2)} too. */
    @Test
    public void sockSendfileOnANativeSocketSendsZeroCopy() throws IOException {
        EpollEventLoop epoll = (EpollEventLoop) loop;
        byte[] content = new byte[3_000_000];
        new Random(10).nextBytes(content);
        Path file = Files.write(Files.createDirectories(Path.of("target", "sendfile")).resolve("native.bin"), content);
        long offset = 123;
        long count = 2_500_000;
        CollectingProtocol receiver = new CollectingProtocol((int) count, false);
        Server server = runFor(loop.createServer(() -> receiver, LOCALHOST, 0));
        int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
        NativeSocket socket = NativeSocket.open(epoll, StandardProtocolFamily.INET);
        try {
            connect(socket, new InetSocketAddress(LOCALHOST, port));
            long copiedBefore = loop.sendfileBytesCopied();
            try (FileChannel channel = FileChannel.open(file)) {
                assertEquals(Long.valueOf(count), runFor(loop.sockSendfile(socket, channel, offset, count)));
                assertEquals(offset + count, channel.position());
            }
            assertArrayEquals(Arrays.copyOfRange(content, (int) offset, (int) (offset + count)), runFor(receiver.all));
            assertEquals("bytes copied through the JVM", 0, loop.sendfileBytesCopied() - copiedBefore);
        } finally {
            socket.close();
            Files.delete(file);
        }
        server.close();
        runFor(server.waitClosed());
    }

    private void connect(NativeSocket socket, SocketAddress address) throws IOException {
        EpollEventLoop epoll = (EpollEventLoop) loop;
        LoopFuture<Void> connected = loop.createFuture();
        if (socket.connect(address)) {
            connected.setResult(null);
        } else {
            epoll.addWriter(socket.fd(), () -> {
                epoll.removeWriter(socket.fd());
                connected.setResult(null);
            });
        }
        runFor(connected);
        socket.finishConnect();
    }

    /**
     * A writer the caller adds on its native socket right after cancelling a {@code sockSendfile} to
     * it, while the socket is full, is called once the peer reads: the cancelled sendfile removes only
     * its own writer (it removed the descriptor's writer, whoever had registered it, and the caller's
     * was never called).
     */
    @Test
    public void aWriterAddedRightAfterCancellingSockSendfileOnANativeSocketIsCalled() throws IOException {
        EpollEventLoop epoll = (EpollEventLoop) loop;
        Path file = sparseFile("native-cancel.bin", 50_000_000, 17);
        NativeSocket socket = NativeSocket.open(epoll, StandardProtocolFamily.INET);
        try (ServerSocketChannel listener = ServerSocketChannel.open(); FileChannel channel = FileChannel.open(file)) {
            listener.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            listener.bind(new InetSocketAddress(LOCALHOST, 0));
            socket.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            connect(socket, listener.getLocalAddress());
            try (SocketChannel peer = listener.accept()) {
                peer.configureBlocking(false);
                cancelSockSendfileOnceTheSocketIsFull(socket, channel);
                CompletableFuture<Void> writable = new CompletableFuture<>();
                epoll.addWriter(socket.fd(), () -> {
                    epoll.removeWriter(socket.fd());
                    writable.complete(null);
                });
                long[] received = {0};
                runFor(readEvery10Ms(peer, received, writable::isDone));
                assertTrue("the peer read what the sendfile had sent: " + received[0], received[0] > 0);
            }
        } finally {
            socket.close();
        }
    }
}
