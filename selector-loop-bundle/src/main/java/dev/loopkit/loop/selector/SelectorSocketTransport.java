package dev.loopkit.loop.selector;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.transports.AbstractServer;
import dev.loopkit.loop.core.transports.ReadinessSocketTransport;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/** asyncio's {@code _SelectorSocketTransport}: a {@link ReadinessSocketTransport} on a {@code SocketChannel} the selector watches. */
final class SelectorSocketTransport extends ReadinessSocketTransport<SocketChannel> {

    SelectorSocketTransport(BaseEventLoop loop, SocketChannel socket, Protocol protocol, AbstractServer server) {
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

    @Override
    protected void shutdownSocketOutput() throws IOException {
        channel.shutdownOutput();
    }
}
