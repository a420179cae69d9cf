package dev.loopkit.loop.core.transports;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.ChannelReadiness;
import dev.loopkit.loop.core.ZeroCopySocket;
import dev.loopkit.loop.core.ZeroCopySocket.FileSending;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;

/**
 * asyncio's {@code _SelectorSocketTransport}: a {@link ReadinessSocketTransport} on a JDK
 * {@code SocketChannel}, watched through the loop's {@code addReader}/{@code addWriter} on channels
 * (the selector loop's selector; the epoll loop's helper selector, for a socket accepted elsewhere).
 */
public final class ChannelSocketTransport extends ReadinessSocketTransport<SocketChannel> {

    /** The loop's readers and writers without the check that no transport uses the channel: this one does. */
    private final ChannelReadiness readiness;

    public ChannelSocketTransport(BaseEventLoop loop, SocketChannel socket, Protocol protocol, AbstractServer server) {
        super(loop, socket, protocol, server);
        readiness = loop.ownChannelReadiness();
        putSocketExtras(socket);
    }

    @Override
    protected void watchReadable(Runnable onReadable) {
        readiness.addReader(channel, onReadable);
    }

    @Override
    protected void unwatchReadable() {
        readiness.removeReader(channel);
    }

    @Override
    protected void watchWritable(Runnable onWritable) {
        readiness.addWriter(channel, onWritable);
    }

    @Override
    protected void unwatchWritable() {
        readiness.removeWriter(channel);
    }

    /** {@link FileChannel#transferTo} into the socket: {@code sendfile(2)} inside the JDK. */
    @Override
    protected FileSending sendFrom(FileChannel file) throws IOException {
        return ZeroCopySocket.transferring(file, channel);
    }

    @Override
    protected void shutdownSocketOutput() throws IOException {
        channel.shutdownOutput();
    }
}
