package dev.loopkit.api;

import java.util.Objects;

/** asyncio's {@code (transport, protocol)} pair returned by {@link EventLoop#createDatagramEndpoint}. */
public record DatagramEndpoint<P extends DatagramProtocol>(DatagramTransport transport, P protocol) {

    public DatagramEndpoint {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(protocol, "protocol");
    }
}
