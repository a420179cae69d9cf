package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LoopTestSupport;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletionException;
import org.junit.Test;

/**
 * asyncio's {@code sock_connect} and {@code sock_accept} put every failure on their future. These threw
 * the JDK's unchecked exceptions out of the call instead (the network review): a connect on a connected
 * socket ({@code AlreadyConnectedException}), a second connect while one is under way, as a retry after a
 * timeout does ({@code ConnectionPendingException}; asyncio's gets {@code EALREADY} and waits for the one
 * under way), an address the socket cannot take ({@code UnsupportedAddressTypeException}), and an accept on
 * an unbound socket ({@code NotYetBoundException}).
 */
public class SockCallsFailTheirFutureTest extends LoopTestSupport {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }

    @Test
    public void aConnectOnAConnectedSocketFailsItsFuture() throws Exception {
        try (ServerSocketChannel server = listening(); SocketChannel socket = nonBlocking()) {
            runFor(loop.sockConnect(socket, server.getLocalAddress()));
            LoopFuture<Void> again = loop.sockConnect(socket, server.getLocalAddress());
            Throwable failed = failure(again);
            assertEquals(failed.toString(), "Transport endpoint is already connected", failed.getMessage());
        }
    }

    /** A retry after the first was given up (a timeout's cancel) while the connect goes on: it waits for that connect. */
    @Test
    public void aConnectRetriedWhileTheFirstIsUnderWayWaitsForIt() throws Exception {
        try (ServerSocketChannel server = listening(); SocketChannel socket = nonBlocking()) {
            LoopFuture<Void> first = loop.sockConnect(socket, server.getLocalAddress());
            first.cancel(false);
            LoopFuture<Void> retry = loop.sockConnect(socket, server.getLocalAddress());
            runFor(retry);
            assertTrue(socket.isConnected());
        }
    }

    @Test
    public void anAddressTheSocketCannotTakeFailsTheFuture() throws Exception {
        try (SocketChannel socket = nonBlocking()) {
            Throwable failed = failure(loop.sockConnect(socket, java.net.UnixDomainSocketAddress.of("/tmp/nowhere")));
            assertTrue(failed.toString(), failed instanceof java.nio.channels.UnsupportedAddressTypeException);
        }
    }

    @Test
    public void anAcceptOnAnUnboundSocketFailsTheFuture() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.configureBlocking(false);
            Throwable failed = failure(loop.sockAccept(server));
            assertTrue(failed.toString(), failed instanceof java.nio.channels.NotYetBoundException);
        }
    }

    private static ServerSocketChannel listening() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        return server;
    }

    private static SocketChannel nonBlocking() throws Exception {
        SocketChannel socket = SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
    }

    // What the future failed with (not thrown by the call that made it).
    private Throwable failure(LoopFuture<?> future) {
        try {
            runFor(future);
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("completed: " + future);
    }
}
