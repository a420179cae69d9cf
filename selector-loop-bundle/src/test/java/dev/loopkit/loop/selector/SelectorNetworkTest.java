package dev.loopkit.loop.selector;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Connection;
import dev.loopkit.api.Server;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.CollectingProtocol;
import dev.loopkit.loop.testing.EchoProtocol;
import dev.loopkit.loop.testing.NetworkContract;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.Test;

/**
 * The network contract on the selector loop, and what only a readiness-based loop offers:
 * Unix-domain sockets, readers on channels, and {@code sock*} on non-blocking {@code SocketChannel}s.
 */
public class SelectorNetworkTest extends NetworkContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        SocketChannel socket = SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
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

    /**
     * Under a storm of ready callbacks the loop skips the zero-timeout select, but readiness is still
     * picked up within {@link SelectorEventLoop#IO_POLL_EVERY} callbacks.
     */
    @Test
    public void readinessIsPickedUpDuringAStormOfCallbacks() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        CompletableFuture<Integer> readAfter = new CompletableFuture<>();
        int[] chained = {0};
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            if (readAfter.isDone()) {
                return;
            }
            if (++chained[0] > 100_000) {
                readAfter.completeExceptionally(new AssertionError("no readiness within 100,000 callbacks"));
                return;
            }
            loop.callSoon(step[0]);
        };
        loop.callSoon(() -> {
            loop.addReader(pipe.source(), () -> {
                loop.removeReader(pipe.source());
                readAfter.complete(chained[0]);
            });
            step[0].run();
        });
        int after = runFor(readAfter);
        assertTrue("the reader ran after " + after + " chained callbacks", after <= SelectorEventLoop.IO_POLL_EVERY + 2);
        pipe.source().close();
        pipe.sink().close();
    }
}
