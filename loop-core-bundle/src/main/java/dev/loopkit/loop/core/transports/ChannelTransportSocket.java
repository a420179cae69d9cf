package dev.loopkit.loop.core.transports;

import dev.loopkit.api.TransportSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;

/** The {@link TransportSocket} of a socket transport: its channel, with only what cannot interfere. */
public final class ChannelTransportSocket implements TransportSocket {

    private final NetworkChannel channel;

    public ChannelTransportSocket(NetworkChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        if (channel instanceof SocketChannel socket) {
            return socket.getRemoteAddress();
        }
        if (channel instanceof ConnectedChannel socket) {
            return socket.getRemoteAddress();
        }
        return channel instanceof AsynchronousSocketChannel socket ? socket.getRemoteAddress() : null;
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return channel.getOption(option);
    }

    @Override
    public <T> TransportSocket setOption(SocketOption<T> option, T value) throws IOException {
        channel.setOption(option, value);
        return this;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return channel.supportedOptions();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public String toString() {
        return "<TransportSocket " + channel + ">";
    }
}
