package dev.loopkit.loop.selector;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.transports.AbstractServer;
import dev.loopkit.loop.core.transports.ChannelTransportSocket;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * asyncio's {@code Server} on a selector: each listening socket's readiness accepts up to
 * {@code backlog} connections (asyncio's {@code _accept_connection}), each with a fresh protocol.
 */
final class SelectorServer extends AbstractServer {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    /** asyncio's {@code constants.ACCEPT_RETRY_DELAY}: how long to stop accepting when out of descriptors. */
    private static final double ACCEPT_RETRY_DELAY = 1.0;

    private final SelectorEventLoop selectorLoop;
    private final Supplier<? extends Protocol> protocolFactory;
    private final int backlog;
    private final Path unixPath;

    SelectorServer(SelectorEventLoop loop, List<ServerSocketChannel> sockets, Supplier<? extends Protocol> protocolFactory,
            int backlog, Path unixPath) {
        super(loop, sockets);
        this.selectorLoop = loop;
        this.protocolFactory = protocolFactory;
        this.backlog = backlog;
        this.unixPath = unixPath;
    }

    @Override
    protected void startAccepting(NetworkChannel socket) {
        ServerSocketChannel server = (ServerSocketChannel) socket;
        selectorLoop.addReader(server, () -> acceptConnections(server));
    }

    @Override
    protected void stopAccepting(NetworkChannel socket) throws IOException {
        selectorLoop.removeReader((ServerSocketChannel) socket);
        socket.close();
        deleteUnixSocketFile();
    }

    @Override
    public void release() {
        super.release();
        deleteUnixSocketFile();
    }

    private void acceptConnections(ServerSocketChannel server) {
        for (int i = 0; i < backlog; i++) {
            SocketChannel accepted;
            try {
                accepted = server.accept();
            } catch (IOException e) {
                outOfResources(server, e);
                return;
            }
            if (accepted == null) {
                return;
            }
            startTransport(accepted);
        }
    }

    private void startTransport(SocketChannel accepted) {
        try {
            accepted.configureBlocking(false);
            if (unixPath == null) {
                accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            Protocol protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            new SelectorSocketTransport(selectorLoop, accepted, protocol, this).start(() -> { });
        } catch (IOException | RuntimeException e) {
            transportCreationFailed(accepted, e);
        }
    }

    // asyncio: EMFILE and friends are logged and accepting pauses a second, instead of spinning.
    private void outOfResources(ServerSocketChannel server, IOException e) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("message", "socket.accept() out of system resource");
        context.put("exception", e);
        context.put("socket", new ChannelTransportSocket(server)); // asyncio: trsock.TransportSocket(sock)
        loop.callExceptionHandler(context);
        selectorLoop.removeReader(server);
        loop.callLater(ACCEPT_RETRY_DELAY, () -> {
            if (isServing() && server.isOpen()) {
                startAccepting(server);
            }
        });
    }

    private void deleteUnixSocketFile() {
        if (unixPath != null) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "removing " + unixPath, e);
            }
        }
    }
}
