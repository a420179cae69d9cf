package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Server;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.CollectingProtocol;
import dev.loopkit.loop.testing.SendfileContract;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.FileChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
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
            LoopFuture<Void> connected = loop.createFuture();
            if (socket.connect(new InetSocketAddress(LOCALHOST, port))) {
                connected.setResult(null);
            } else {
                epoll.addWriter(socket.fd(), () -> {
                    epoll.removeWriter(socket.fd());
                    connected.setResult(null);
                });
            }
            runFor(connected);
            socket.finishConnect();
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
}
