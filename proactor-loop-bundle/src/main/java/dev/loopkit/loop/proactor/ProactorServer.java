package dev.loopkit.loop.proactor;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.transports.AbstractServer;
import dev.loopkit.loop.core.transports.ChannelTransportSocket;
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * asyncio's {@code Server} on a proactor: an {@link Acceptor} per listening socket keeps an accept
 * pending; each connection it accepts gets a fresh protocol and transport on the loop thread.
 */
final class ProactorServer extends AbstractServer {

    /** asyncio's {@code constants.ACCEPT_RETRY_DELAY}: how long to stop accepting after a failure (out of descriptors). */
    private static final double ACCEPT_RETRY_DELAY = 1.0;

    private final Supplier<? extends Protocol> protocolFactory;

    ProactorServer(BaseEventLoop loop, List<AsynchronousServerSocketChannel> sockets,
            Supplier<? extends Protocol> protocolFactory) {
        super(loop, sockets);
        this.protocolFactory = protocolFactory;
    }

    @Override
    protected void startAccepting(NetworkChannel socket) {
        new Acceptor(this, loop, (AsynchronousServerSocketChannel) socket).acceptNext();
    }

    @Override
    protected void stopAccepting(NetworkChannel socket) throws IOException {
        socket.close(); // the pending accept fails with AsynchronousCloseException, which ends its Acceptor
    }

    /** A connection accepted on the group's thread reached the loop. */
    void accepted(AsynchronousServerSocketChannel listener, AsynchronousSocketChannel accepted) {
        if (!isServing() || !listener.isOpen()) {
            Networks.closeQuietly(accepted); // accepted just as the server closed
            return;
        }
        try {
            accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Protocol protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            new ProactorSocketTransport(loop, accepted, protocol, this).start(() -> { });
        } catch (IOException | RuntimeException | Error e) {
            if (Scheduler.isFatal(e)) {
                // Out of memory in the protocol factory ends the run in its caller; the connection nobody will
                // serve is closed now: no transport took it, so the loop's close would not (an outside review).
                Networks.closeQuietly(accepted);
                throw (Error) e;
            }
            transportCreationFailed(accepted, e);
        }
    }

    /** Accepting failed (EMFILE and friends): report, and try again later instead of spinning, as asyncio's selector does. */
    void acceptFailed(AsynchronousServerSocketChannel listener, Throwable error) {
        if (!isServing() || !listener.isOpen()) {
            return;
        }
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("message", "socket.accept() out of system resource");
        context.put("exception", error);
        context.put("socket", new ChannelTransportSocket(listener)); // asyncio: trsock.TransportSocket(sock)
        loop.callExceptionHandler(context);
        loop.callLater(ACCEPT_RETRY_DELAY, () -> {
            if (isServing() && listener.isOpen()) {
                startAccepting(listener);
            }
        });
    }
}
