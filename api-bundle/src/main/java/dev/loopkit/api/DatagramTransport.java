package dev.loopkit.api;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * asyncio's {@code DatagramTransport}: a UDP endpoint. {@code getExtraInfo} knows {@code sockname},
 * {@code peername} ({@code null} unless connected to a remote address) and {@code socket} (a
 * {@link TransportSocket}). Loop thread only.
 */
@ProviderType
public interface DatagramTransport extends BaseTransport {

    /**
     * asyncio {@code sendto(data, addr)}: sends the remaining bytes of {@code data} as one datagram
     * to {@code addr}, at once if the socket takes it, else from the write buffer (a copy: the caller
     * may reuse {@code data}). An OS error (a datagram too long, say) reaches the protocol's
     * {@code errorReceived}; nothing is thrown. An empty {@code data} sends nothing: the JDK's
     * {@code DatagramChannel} cannot send an empty datagram (asyncio up to 3.11 dropped them too).
     *
     * @param addr where to, or {@code null} for the endpoint's remote address
     * @throws IllegalArgumentException "Invalid address: must be None or ('127.0.0.1', 9999)" when the
     *         endpoint has a remote address and {@code addr} is another one
     */
    void sendto(ByteBuffer data, SocketAddress addr);

    /** asyncio {@code sendto(data)}: to the endpoint's remote address. */
    default void sendto(ByteBuffer data) {
        sendto(data, null);
    }

    /** {@link #sendto(ByteBuffer, SocketAddress)} of a whole array. */
    default void sendto(byte[] data, SocketAddress addr) {
        sendto(ByteBuffer.wrap(data), addr);
    }

    /** asyncio {@code abort()}: closes at once, dropping buffered datagrams; {@code connectionLost(null)} follows. */
    void abort();

    /** asyncio {@code get_write_buffer_size()}: bytes of datagrams waiting to be sent. */
    int getWriteBufferSize();

    /** asyncio {@code get_write_buffer_limits()}. */
    WriteBufferLimits getWriteBufferLimits();

    /**
     * asyncio {@code set_write_buffer_limits(high, low)}: {@code pauseWriting} above {@code high},
     * {@code resumeWriting} at or below {@code low} (a negative value: the default).
     */
    void setWriteBufferLimits(int high, int low);
}
