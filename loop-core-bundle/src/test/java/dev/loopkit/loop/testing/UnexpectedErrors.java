package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.ExceptionHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What reaches a loop's exception handler during a test that expects nothing there: install it
 * before, check after (unless the test installed a handler of its own).
 */
public final class UnexpectedErrors {

    private final List<Map<String, Object>> reported = Collections.synchronizedList(new ArrayList<>());
    private final ExceptionHandler record = (loop, context) -> reported.add(context);

    public void install(EventLoop loop) {
        loop.setExceptionHandler(record);
    }

    /** Fails listing what was reported, if this recorder is still the loop's handler. */
    public void assertNone(EventLoop loop) {
        if (loop.getExceptionHandler() == record) {
            assertEquals("reported to the exception handler", List.of(), List.copyOf(reported));
        }
    }
}
