package dev.loopkit.loop.core.transports;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * asyncio's {@code _SelectorSocketTransport}: a {@link ReadinessSocketTransport} on a JDK
 * {@code SocketChannel}, watched through the loop's {@code addReader}/{@code addWriter} on channels
 * (the selector loop's selector; the epoll loop's helper selector, for a socket accepted elsewhere).
 */
public final class ChannelSocketTransport extends ReadinessSocketTransport<SocketChannel> {

    public ChannelSocketTransport(BaseEventLoop loop, SocketChannel socket, Protocol protocol, AbstractServer server) {
        super(loop, socket, protocol, server);
        putSocketExtras(socket);
    }

    @Override
    protected void watchReadable(Runnable onReadable) {
        loop.addReader(channel, onReadable);
    }

    @Override
    protected void unwatchReadable() {
        loop.removeReader(channel);
    }

    @Override
    protected void watchWritable(Runnable onWritable) {
        loop.addWriter(channel, onWritable);
    }

    @Override
    protected void unwatchWritable() {
        loop.removeWriter(channel);
    }

    /** Zero-copy sendfile writes to the socket itself: nothing of this transport transforms the bytes. */
    @Override
    public SocketChannel zeroCopyChannel() {
        return channel;
    }

    @Override
    protected void shutdownSocketOutput() throws IOException {
        channel.shutdownOutput();
    }
}
