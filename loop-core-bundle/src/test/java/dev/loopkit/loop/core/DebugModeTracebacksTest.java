package dev.loopkit.loop.core;

import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.testing.LogCapture;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.After;
import org.junit.Test;

/**
 * Debug mode says where a handle was made wherever asyncio does: in the slow callback warning
 * ("Executing <Handle ... created at File.java:12> took 0.030 seconds", {@code Handle._repr_info}) and, for
 * a report made while a handle runs, in the default exception handler's "handle_traceback: Handle created
 * at (most recent call last):" ({@code default_exception_handler}). Neither was said (an outside review).
 */
public class DebugModeTracebacksTest {

    private final ParkingEventLoop loop = new ParkingEventLoop();

    @After
    public void close() {
        loop.close();
    }

    @Test
    public void theSlowCallbackWarningSaysWhereTheHandleWasCreated() {
        loop.setDebug(true);
        loop.setSlowCallbackDuration(0.01);
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            loop.callSoon(() -> LockSupport.parkNanos(30_000_000L));
            loop.callSoon(loop::stop);
            loop.runForever();
            List<String> messages = log.messages();
            assertTrue(messages.toString(), messages.stream().anyMatch(line -> line.startsWith("WARNING Executing <Handle")
                    && line.contains(" created at DebugModeTracebacksTest.java:")));
        }
    }

    @Test
    public void theDefaultHandlerSaysWhereTheRunningHandleWasCreated() {
        loop.setDebug(true);
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            loop.callSoon(() -> loop.callExceptionHandler(new HashMap<>(Map.of("message", "something broke"))));
            loop.callSoon(loop::stop);
            loop.runForever();
            List<String> messages = log.messages();
            assertTrue(messages.toString(), messages.stream().anyMatch(line -> line.contains("something broke")
                    && line.contains("handle_traceback: Handle created at (most recent call last):")
                    && line.contains("theDefaultHandlerSaysWhereTheRunningHandleWasCreated")));
        }
    }
}
