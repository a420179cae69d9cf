package dev.loopkit.loop.proactor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.EchoProtocol;
import dev.loopkit.loop.testing.NetworkContract;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.junit.Test;
import org.junit.function.ThrowingRunnable;

/**
 * The network contract on the proactor loop, and what it refuses: readiness on channels, Unix-domain
 * sockets, and {@code sock*} on channels that are not asynchronous.
 */
public class ProactorNetworkTest extends NetworkContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    private ProactorEventLoop proactor() {
        return (ProactorEventLoop) loop;
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        return proactor().openSocketChannel();
    }

    @Override
    protected NetworkChannel openListeningSocket() throws IOException {
        return ProactorSockets.listener(proactor());
    }

    @Test
    public void readinessOnChannelsIsNotImplemented() throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            channel.configureBlocking(false);
            List<ThrowingRunnable> calls = List.of(
                    () -> loop.addReader(channel, () -> { }),
                    () -> loop.removeReader(channel),
                    () -> loop.addWriter(channel, () -> { }),
                    () -> loop.removeWriter(channel));
            for (ThrowingRunnable call : calls) {
                String message = assertThrows(UnsupportedOperationException.class, call).getMessage();
                assertTrue(message, message.startsWith("ProactorEventLoop does not support ")
                        && message.contains("completion-based") && message.contains("NotImplementedError"));
            }
        }
    }

    @Test
    public void unixDomainSocketsAreRefusedWithTheReason() {
        Path path = Path.of("/tmp/never.sock");
        String connection = assertThrows(UnsupportedOperationException.class,
                () -> loop.createUnixConnection(EchoProtocol::new, path)).getMessage();
        assertTrue(connection, connection.startsWith("ProactorEventLoop does not support createUnixConnection: "
                + "JDK 17's asynchronous channels cannot open Unix-domain sockets"));
        String server = assertThrows(UnsupportedOperationException.class,
                () -> loop.createUnixServer(EchoProtocol::new, path)).getMessage();
        assertTrue(server, server.startsWith("ProactorEventLoop does not support createUnixServer: "));
    }

    @Test
    public void sockOperationsRefuseSelectableChannels() throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            assertEquals("ProactorEventLoop needs a java.nio.channels.AsynchronousSocketChannel, not "
                    + channel.getClass().getName(),
                    assertThrows(IllegalArgumentException.class, () -> loop.sockRecv(channel, ByteBuffer.allocate(1)))
                            .getMessage());
        }
    }
}
