package dev.loopkit.loop.core.transports;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.ChannelReadiness;
import dev.loopkit.loop.core.ZeroCopySocket;
import dev.loopkit.loop.core.ZeroCopySocket.FileSending;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
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

    /**
     * A socket closed with bytes it never read resets the connection: the kernel's rule, so the peer
     * of asyncio's transport gets a reset. A JDK channel still registered with a selector is closed only
     * at the selector's next select, and has its output shut down meanwhile unless {@code SO_LINGER} is
     * 0: the peer read a clean end of stream first, and took an aborted transfer for a finished one
     * (NetworkContract.aTransportAbortedWithBytesItNeverReadResetsThePeer). With {@code SO_LINGER} 0 the
     * JDK leaves the output alone, and the close resets as the kernel would have (it drops what the
     * kernel has not sent yet, which the reset drops anyway). A Unix-domain peer was reset before this
     * change too (ReadinessNetworkContract.aUnixTransportAbortedWithBytesItNeverReadResetsThePeer), and
     * its channel has no {@code socket()} to ask.
     */
    @Override
    protected void closeChannel() throws IOException {
        if (channel.isOpen() && !(channel.getLocalAddress() instanceof UnixDomainSocketAddress) && unreadBytes() > 0) {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException e) {
                // the connection is gone already: the close below is all there is to do
            }
        }
        super.closeChannel();
    }

    private int unreadBytes() {
        try {
            return channel.socket().getInputStream().available(); // FIONREAD
        } catch (IOException notConnected) {
            return 0;
        }
    }

    @Override
    protected void shutdownSocketOutput() throws IOException {
        channel.shutdownOutput();
    }
}
