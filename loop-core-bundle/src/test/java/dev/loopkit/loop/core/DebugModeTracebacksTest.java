package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.testing.LogCapture;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
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
            // Busy, not parked: a permit an earlier test's loop left on this thread (ParkingEventLoop) ended a park at once.
            loop.callSoon(() -> busyFor(30));
            loop.callSoon(loop::stop);
            loop.runForever();
            List<String> messages = log.messages();
            assertTrue(messages.toString(), messages.stream().anyMatch(line -> line.startsWith("WARNING Executing <Handle")
                    && line.contains(" created at DebugModeTracebacksTest.java:")));
        }
    }

    /**
     * A done callback and a stage are scheduled by the future's completion: where they were made is the
     * user's {@code setResult}, as asyncio's C future's {@code call_soon} frame is. The trace began with
     * six frames of the future's own machinery, and the slow callback warning said "created at
     * DefaultLoopFuture.java:443" (a later review).
     */
    @Test
    public void aDoneCallbackAndAStageWereCreatedWhereTheFutureWasCompleted() {
        loop.setDebug(true);
        loop.setSlowCallbackDuration(0.01);
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            DefaultLoopFuture<String> future = new DefaultLoopFuture<>(loop);
            future.addDoneCallback(f -> busyFor(30));
            future.thenRun(() -> busyFor(30));
            loop.callSoon(() -> future.setResult("done")); // this line
            loop.callSoon(() -> loop.callSoon(() -> loop.callSoon(loop::stop)));
            loop.runForever();
            List<String> slow = log.messages().stream().filter(line -> line.startsWith("WARNING Executing")).toList();
            assertEquals(slow.toString(), 2, slow.size());
            for (String line : slow) {
                assertTrue(line, line.contains(" created at DebugModeTracebacksTest.java:"));
            }
        }
    }

    /**
     * asyncio's {@code TimerHandle._repr_info} adds {@code Handle._repr_info}'s "created at", so the slow
     * timer's warning and the timer's text say where it was made; the timer's text left it out (an
     * outside review).
     */
    @Test
    public void aTimerSaysWhereItWasCreatedAsAHandleDoes() {
        loop.setDebug(true);
        dev.loopkit.api.TimerHandle timer = loop.callLater(10, () -> { });
        assertTrue(timer.toString(), timer.toString().startsWith("<TimerHandle when=")
                && timer.toString().contains(" created at DebugModeTracebacksTest.java:"));
        timer.cancel();
        assertTrue(timer.toString(), timer.toString().startsWith("<TimerHandle cancelled when=")
                && timer.toString().contains(" created at DebugModeTracebacksTest.java:"));
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

    /**
     * asyncio keeps the 10 frames nearest the call ({@code DEBUG_STACK_DEPTH}) and none of its own
     * {@code call_soon}: the handle's {@code source_traceback} starts at the caller's frame and holds
     * 10 at most. The whole stack, 40 to 60 frames under a test runner or a framework, made every
     * callback of debug mode cost tens of microseconds.
     */
    @Test
    public void aHandleKeepsTheTenFramesNearestTheCallThatScheduledIt() {
        loop.setDebug(true);
        AtomicReference<Map<String, Object>> reported = new AtomicReference<>();
        loop.setExceptionHandler((l, context) -> reported.set(context));
        scheduleFailingFromDepth(30);
        loop.callSoon(loop::stop);
        loop.runForever();
        StackTraceElement[] trace = (StackTraceElement[]) reported.get().get("source_traceback");
        String first = trace.length + " frames, the first " + Arrays.toString(Arrays.copyOf(trace, 5));
        assertEquals(first, 10, trace.length);
        for (StackTraceElement frame : trace) {
            assertEquals(first, "scheduleFailingFromDepth", frame.getMethodName());
        }
    }

    private void scheduleFailingFromDepth(int depth) {
        if (depth > 0) {
            scheduleFailingFromDepth(depth - 1);
            return;
        }
        loop.callSoon(() -> {
            throw new IllegalStateException("failed");
        });
    }

    // A slow callback: the time it takes is what the warning is about.
    private static void busyFor(long millis) {
        long until = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
