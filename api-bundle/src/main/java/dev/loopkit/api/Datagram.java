package dev.loopkit.api;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/** asyncio's {@code (data, address)} pair of {@link EventLoop#sockRecvfrom}: one datagram and its sender. */
public record Datagram(ByteBuffer data, SocketAddress address) {

    public Datagram {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(address, "address");
    }
}
