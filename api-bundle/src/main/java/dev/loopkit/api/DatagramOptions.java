package dev.loopkit.api;

import java.net.ProtocolFamily;

/**
 * The keyword arguments of asyncio's {@code create_datagram_endpoint}: {@code family} ({@code null}:
 * any, asyncio's {@code 0}; else {@link java.net.StandardProtocolFamily#INET} or
 * {@link java.net.StandardProtocolFamily#INET6}), {@code reuse_port} ({@code SO_REUSEPORT}) and
 * {@code allow_broadcast} ({@code SO_BROADCAST}; the endpoint is then not connected to its remote
 * address, which only becomes the default destination). asyncio's {@code reuse_address} is gone
 * (asyncio refuses it: sharing a UDP port that way is unsafe). Immutable; each {@code with…} method
 * returns a changed copy.
 */
public record DatagramOptions(ProtocolFamily family, boolean reusePort, boolean allowBroadcast) {

    private static final DatagramOptions DEFAULTS = new DatagramOptions(null, false, false);

    public static DatagramOptions defaults() {
        return DEFAULTS;
    }

    public DatagramOptions withFamily(ProtocolFamily value) {
        return new DatagramOptions(value, reusePort, allowBroadcast);
    }

    public DatagramOptions withReusePort(boolean value) {
        return new DatagramOptions(family, value, allowBroadcast);
    }

    public DatagramOptions withAllowBroadcast(boolean value) {
        return new DatagramOptions(family, reusePort, value);
    }
}
