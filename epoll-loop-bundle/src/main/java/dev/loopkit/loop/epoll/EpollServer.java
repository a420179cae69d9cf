package dev.loopkit.loop.epoll;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.transports.ReadinessServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * asyncio's {@code Server} on the epoll loop: a {@link ReadinessServer} of {@link NativeSocket}s in the loop's
 * epoll set. Its sockets come bound, and listen once it starts serving, as asyncio's {@code _start_serving}
 * calls {@code listen}: a server made with {@code startServing(false)} refuses clients until then.
 */
final class EpollServer extends ReadinessServer<NativeSocket, NativeSocket> {

    private final EpollEventLoop epollLoop;
    private final int backlog;

    EpollServer(EpollEventLoop loop, List<NativeSocket> sockets, Supplier<? extends Protocol> protocolFactory,
            int backlog, Path unixPath) {
        super(loop, sockets, protocolFactory, backlog, unixPath);
        this.epollLoop = loop;
        this.backlog = backlog;
    }

    /** Listens (again, after a pause for want of descriptors: {@code listen} on a listening socket changes nothing), then watches. */
    @Override
    protected void watchAcceptable(NativeSocket socket, Runnable onAcceptable) {
        try {
            socket.listen(backlog);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
