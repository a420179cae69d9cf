package dev.loopkit.api;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * asyncio's {@code TransportSocket}: what {@code getExtraInfo("socket")} of a socket transport
 * returns. It reads addresses and reads or sets options, and can do nothing that would interfere with
 * the transport that owns the socket: no reading, writing, closing or blocking mode (asyncio's
 * wrapper refuses those too). TCP transports are made with {@code TCP_NODELAY} on, as asyncio's.
 */
@ProviderType
public interface TransportSocket {

    /** asyncio {@code getsockname()}. */
    SocketAddress localAddress() throws IOException;

    /** asyncio {@code getpeername()}; {@code null} for a listening socket. */
    SocketAddress remoteAddress() throws IOException;

    /** asyncio {@code getsockopt}. */
    <T> T getOption(SocketOption<T> option) throws IOException;

    /** asyncio {@code setsockopt}. */
    <T> TransportSocket setOption(SocketOption<T> option, T value) throws IOException;

    /** The options this socket has. */
    Set<SocketOption<?>> supportedOptions();

    /** Whether the transport has not closed the socket yet. */
    boolean isOpen();
}
