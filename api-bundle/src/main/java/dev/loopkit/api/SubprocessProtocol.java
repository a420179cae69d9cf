package dev.loopkit.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/** asyncio's {@code SubprocessProtocol}. */
@ConsumerType
public interface SubprocessProtocol extends BaseProtocol {

    /** The child is spawned. */
    default void connectionMade(SubprocessTransport transport) {
    }

    /** The child wrote to its stdout (fd 1) or stderr (fd 2); {@code data} is only valid during the call. */
    default void pipeDataReceived(int fd, ByteBuffer data) {
    }

    /** One of the child's pipes closed; {@code exc} is {@code null} for a regular close. */
    default void pipeConnectionLost(int fd, Exception exc) {
    }

    /** The child exited; its return code is {@link SubprocessTransport#getReturncode()}. */
    default void processExited() {
    }
}
