package dev.loopkit.loop.core.transports;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;

/**
 * A loop's own connected socket, where it is no JDK {@code SocketChannel}: what a
 * {@link ChannelTransportSocket} needs to name the peer.
 */
public interface ConnectedChannel extends NetworkChannel {

    /** The peer's address ({@code getpeername}), or {@code null} when not connected. */
    SocketAddress getRemoteAddress() throws IOException;
}
