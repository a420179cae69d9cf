package dev.loopkit.loop.epoll;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.transports.ReadinessServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** asyncio's {@code Server} on the epoll loop: a {@link ReadinessServer} of {@link NativeSocket}s in the loop's epoll set. */
final class EpollServer extends ReadinessServer<NativeSocket, NativeSocket> {

    private final EpollEventLoop epollLoop;

    EpollServer(EpollEventLoop loop, List<NativeSocket> sockets, Supplier<? extends Protocol> protocolFactory,
            int backlog, Path unixPath) {
        super(loop, sockets, protocolFactory, backlog, unixPath);
        this.epollLoop = loop;
    }

    @Override
    protected void watchAcceptable(NativeSocket socket, Runnable onAcceptable) {
        epollLoop.watchReadable(socket.fd(), onAcceptable);
    }

    @Override
    protected void unwatchAcceptable(NativeSocket socket) {
        epollLoop.unwatchReadable(socket.fd());
    }

    @Override
    protected NativeSocket accept(NativeSocket socket) throws IOException {
        return socket.accept();
    }

    @Override
    protected void startTransport(NativeSocket accepted, Protocol protocol) {
        new EpollSocketTransport(epollLoop, accepted, protocol, this).start(() -> { });
    }
}
