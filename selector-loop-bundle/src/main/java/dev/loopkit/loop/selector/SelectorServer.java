package dev.loopkit.loop.selector;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.transports.ChannelSocketTransport;
import dev.loopkit.loop.core.transports.ReadinessServer;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** asyncio's {@code Server} on a selector: a {@link ReadinessServer} of {@code ServerSocketChannel}s. */
final class SelectorServer extends ReadinessServer<ServerSocketChannel, SocketChannel> {

    SelectorServer(BaseEventLoop loop, List<ServerSocketChannel> sockets, Supplier<? extends Protocol> protocolFactory,
            int backlog, Path unixPath) {
        super(loop, sockets, protocolFactory, backlog, unixPath);
    }

    @Override
    protected void watchAcceptable(ServerSocketChannel socket, Runnable onAcceptable) {
        loop.addReader(socket, onAcceptable);
    }

    @Override
    protected void unwatchAcceptable(ServerSocketChannel socket) {
        loop.removeReader(socket);
    }

    @Override
    protected SocketChannel accept(ServerSocketChannel socket) throws IOException {
        return socket.accept();
    }

    @Override
    protected void startTransport(SocketChannel accepted, Protocol protocol) throws IOException {
        accepted.configureBlocking(false);
        new ChannelSocketTransport(loop, accepted, protocol, this).start(() -> { });
    }
}
