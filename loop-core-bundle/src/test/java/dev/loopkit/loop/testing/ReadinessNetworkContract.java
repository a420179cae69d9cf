package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Connection;
import dev.loopkit.api.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Test;

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
}
