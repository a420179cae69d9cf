package dev.loopkit.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * asyncio's {@code BufferedProtocol}: the transport reads straight into the protocol's own buffer,
 * so no bytes are copied. {@link #dataReceived(ByteBuffer)} is never called.
 */
@ConsumerType
public interface BufferedProtocol extends Protocol {

    /** A buffer to read into, at least one byte of space left; {@code sizeHint} is a wish, not a rule. */
    ByteBuffer getBuffer(int sizeHint);

    /** {@code nbytes} were written into the last buffer given by {@link #getBuffer(int)}. */
    void bufferUpdated(int nbytes);
}
