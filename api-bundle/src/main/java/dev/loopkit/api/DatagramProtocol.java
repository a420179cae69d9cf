package dev.loopkit.api;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * asyncio's {@code DatagramProtocol}: the protocol of a UDP endpoint
 * ({@link EventLoop#createDatagramEndpoint}). Every callback has an empty default and runs on the
 * loop's thread.
 */
@ConsumerType
public interface DatagramProtocol extends BaseProtocol {

    /** asyncio {@code connection_made(transport)}: the endpoint is ready; {@code transport} sends and closes. */
    default void connectionMade(DatagramTransport transport) {
    }

    /**
     * asyncio {@code datagram_received(data, addr)}: one datagram from {@code addr}. {@code data} is
     * only valid during the call (the transport reuses its buffer): copy what must outlive it.
     */
    default void datagramReceived(ByteBuffer data, SocketAddress addr) {
    }

    /**
     * asyncio {@code error_received(exc)}: a send or receive failed with an OS error (a datagram too
     * long for the socket, an ICMP "port unreachable" on a connected endpoint...); the endpoint stays
     * open.
     */
    default void errorReceived(Exception exc) {
    }
}
