package dev.loopkit.api;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * asyncio's exception handler {@code handler(loop, context)}. The context holds asyncio's keys:
 * {@code message} (always), and where they apply {@code exception}, {@code handle}, {@code future},
 * {@code transport}, {@code protocol}, {@code source_traceback}.
 */
@ConsumerType
@FunctionalInterface
public interface ExceptionHandler {

    void handle(EventLoop loop, Map<String, Object> context);
}
