package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertArrayEquals;

import dev.loopkit.api.Connection;
import dev.loopkit.api.Server;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.CollectingProtocol;
import dev.loopkit.loop.testing.EchoProtocol;
import dev.loopkit.loop.testing.SocketTestSupport;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/**
 * A protocol factory that closes its server and starts the next one (a restart on another address):
 * the new server's listening socket takes the old one's freed descriptor number, and the old server's
 * accept loop, which goes on after the factory, must not touch that number.
 */
/**
 * A protocol factory that closes its server and starts another, whose socket gets the closed one's
 * descriptor number: the new server accepts. Before, the old server's accept loop took the closed
 * socket for "out of system resource", and its retry unwatched that number: the new server's.
 */
public class EpollServerRestartedFromItsFactoryTest extends SocketTestSupport {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Test
    public void aServerStartedFromTheFactoryOfAClosingServerAccepts() throws Exception {
        
        Path next = Files.createTempDirectory("loopkit-restart").resolve("next.sock");
        AtomicReference<Server> first = new AtomicReference<>();
        AtomicReference<Server> second = new AtomicReference<>();
        Server server = runFor(loop.createServer(() -> {
            if (second.get() == null) {
                first.get().close();
                // createUnixServer listens at once; its socket gets the lowest free number: the old one's
                second.set(loop.createUnixServer(EchoProtocol::new, next).toCompletableFuture().getNow(null));
            }
            return new EchoProtocol();
        }, LOCALHOST, 0));
        first.set(server);
        try (Socket client = new Socket(LOCALHOST, port(server))) {
            CollectingProtocol echo = new CollectingProtocol(4, false);
            // let the first server accept and run its factory
            java.util.concurrent.CompletableFuture<Void> tick = new java.util.concurrent.CompletableFuture<>();
            loop.callLater(0.2, () -> tick.complete(null));
            runFor(tick);
            Connection<CollectingProtocol> c = runFor(loop.createUnixConnection(() -> echo, next));
            c.transport().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("the restarted server echoes", "ping".getBytes(StandardCharsets.US_ASCII), runFor(echo.all));
            c.transport().close();
        } finally {
            if (second.get() != null) {
                second.get().close();
            }
        }
    }
}
