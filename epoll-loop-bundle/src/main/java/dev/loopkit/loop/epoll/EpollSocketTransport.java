package dev.loopkit.loop.epoll;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.ZeroCopySocket.FileSending;
import dev.loopkit.loop.core.transports.AbstractServer;
import dev.loopkit.loop.core.transports.ReadinessSocketTransport;
import java.io.IOException;
import java.nio.channels.FileChannel;

/** asyncio's {@code _SelectorSocketTransport} on the epoll loop: a {@link ReadinessSocketTransport} on a {@link NativeSocket} in the loop's epoll set. */
final class EpollSocketTransport extends ReadinessSocketTransport<NativeSocket> {

    private final EpollEventLoop epollLoop;

    EpollSocketTransport(EpollEventLoop loop, NativeSocket socket, Protocol protocol, AbstractServer server) {
        super(loop, socket, protocol, server);
        this.epollLoop = loop;
        putSocketExtras(socket);
    }

    @Override
    protected void watchReadable(Runnable onReadable) {
        epollLoop.watchReadable(channel.fd(), onReadable);
    }

    @Override
    protected void unwatchReadable() {
        epollLoop.unwatchReadable(channel.fd());
    }

    @Override
    protected void watchWritable(Runnable onWritable) {
        epollLoop.watchWritable(channel.fd(), onWritable);
    }

    @Override
    protected void unwatchWritable() {
        epollLoop.unwatchWritable(channel.fd());
    }

    /** {@code sendfile(2)} from the file to the native socket. */
    @Override
    protected FileSending sendFrom(FileChannel file) throws IOException {
        return channel.sendFrom(file);
    }

    @Override
    protected void shutdownSocketOutput() throws IOException {
        channel.shutdownOutput();
    }

    // Out of the epoll set before the number is freed: a socket opened next may get the same number,
    // and the set must not still believe it knows that descriptor.
    @Override
    protected void closeChannel() throws IOException {
        stopIo();
        super.closeChannel();
    }
}
