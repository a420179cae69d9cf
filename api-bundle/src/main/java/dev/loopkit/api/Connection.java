package dev.loopkit.api;

import java.util.Objects;

/** asyncio's {@code (transport, protocol)} pair returned by {@link EventLoop#createConnection}. */
public record Connection<P extends Protocol>(Transport transport, P protocol) {

    public Connection {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(protocol, "protocol");
    }
}
