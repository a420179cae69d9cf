package dev.loopkit.api;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Makes event loops of one implementation: asyncio's {@code loop_factory} argument, published as a
 * service by every loop bundle with the property {@code loopkit.name} equal to {@link #name()}
 * ({@code selector}, {@code proactor}).
 */
@ConsumerType
public interface EventLoopFactory {

    /** The implementation's name, as in the service property {@code loopkit.name}. */
    String name();

    /** A new, not yet running loop. */
    EventLoop newEventLoop();

    /** The loops this factory made that are not closed yet, if it keeps track of them. */
    default List<EventLoop> liveLoops() {
        return List.of();
    }
}
