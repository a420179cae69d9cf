package dev.loopkit.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/** asyncio's {@code Protocol}: a streaming protocol (TCP, Unix sockets, pipes). */
@ConsumerType
public interface Protocol extends BaseProtocol {

    /** The connection is made; {@code transport} is how the protocol writes and closes. */
    default void connectionMade(Transport transport) {
    }

    /**
     * Bytes arrived. {@code data} is only valid during the call: the transport reuses its buffer,
     * so copy what must outlive it.
     */
    default void dataReceived(ByteBuffer data) {
    }

    /**
     * The peer will send no more. Return {@code true} to keep the connection open for writing,
     * {@code false} (asyncio's default) to let the transport close.
     */
    default boolean eofReceived() {
        return false;
    }
}
