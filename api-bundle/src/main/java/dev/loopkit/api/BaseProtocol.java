package dev.loopkit.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * asyncio's {@code BaseProtocol}. Every callback has an empty default, as asyncio's base classes
 * do, so an implementation overrides only what it needs. Callbacks run on the loop's thread.
 */
@ConsumerType
public interface BaseProtocol {

    /**
     * The connection is closed: {@code exc} is {@code null} for a regular close or EOF, else the
     * error that ended it.
     */
    default void connectionLost(Exception exc) {
    }

    /** The transport's write buffer went over its high-water mark. */
    default void pauseWriting() {
    }

    /** The transport's write buffer drained below its low-water mark. */
    default void resumeWriting() {
    }
}
