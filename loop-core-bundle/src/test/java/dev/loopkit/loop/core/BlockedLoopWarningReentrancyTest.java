package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.Test;

/**
 * The blocked-loop warning's log handler is user code, called by the checker's report thread: it may
 * call any public method. Here it runs another loop to completion on a thread of its own (whose run the
 * checker must start watching), changes the blocked loop's threshold and schedules on it. Said under
 * the checker's lock, the other loop's run would wait for the handler, and the handler for it.
 */
public class BlockedLoopWarningReentrancyTest {

    @Test(timeout = 60_000)
    public void aWarningsLogHandlerMayRunAnotherLoopAndChangeTheBlockedOne() throws Exception {
        ParkingEventLoop blocked = new ParkingEventLoop();
        blocked.setBlockedLoopWarning(0.3);
        List<String> didInTheHandler = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() != Level.WARNING || !String.valueOf(record.getMessage()).startsWith("Executing")
                        || !didInTheHandler.isEmpty()) {
                    return;
                }
                ParkingEventLoop other = new ParkingEventLoop();
                CompletableFuture<String> ran = new CompletableFuture<>();
                Thread runner = new Thread(() -> {
                    CompletableFuture<String> done = new CompletableFuture<>();
                    other.callSoon(() -> done.complete("ran"));
                    ran.complete(other.runUntilComplete(done));
                    other.close();
                }, "another-loop");
                runner.start();
                try {
                    didInTheHandler.add("another loop " + ran.get(10, TimeUnit.SECONDS));
                } catch (Exception e) {
                    didInTheHandler.add("another loop did not run: " + e);
                }
                blocked.setBlockedLoopWarning(2.0);
                blocked.callSoonThreadsafe(() -> { });
                didInTheHandler.add("the blocked loop changed");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        logger.addHandler(handler);
        try {
            CompletableFuture<Void> done = new CompletableFuture<>();
            blocked.callSoon(() -> {
                // blocking the loop, as a callback that should not, until the handler has done its part (or
                // 30 s: then it is missing below)
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < end && didInTheHandler.size() < 2) {
                    Thread.onSpinWait();
                }
                done.complete(null);
            });
            blocked.runUntilComplete(done);
        } finally {
            logger.removeHandler(handler);
            blocked.close();
        }
        assertEquals(List.of("another loop ran", "the blocked loop changed"), didInTheHandler);
    }
}
