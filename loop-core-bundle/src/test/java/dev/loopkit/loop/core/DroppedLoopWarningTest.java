package dev.loopkit.loop.core;

import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.loopkit.signals.SignalNumbers;
import dev.loopkit.testsupport.LogHandlers;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.junit.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A log handler that throws on a dropped loop's "unclosed event loop" warning (user code) loses that
 * warning and nothing else: the loop being made or the one that closed, unrelated to the dropped one,
 * went on throwing it, and what the dropped loop held after the warning stayed open for good (an outside
 * review). Resources are closed first and the warning said last now, each failure kept to itself.
 */
public class DroppedLoopWarningTest {

    /** The exception left UnclosedLoops.closeDropped() and so the close() of an unrelated, healthy loop. */
    @Test(timeout = 60_000)
    public void aThrowingLogHandlerOnADroppedLoopsWarningDoesNotFailAnotherLoopsClose() throws Exception {
        ParkingEventLoop closing = new ParkingEventLoop();
        whileItsWarningThrows(DroppedLoop.drop(loop -> { }), () -> {
            try {
                closing.close();
            } catch (RuntimeException e) {
                fail("close() of a healthy loop threw what a dropped loop's warning threw: " + e);
            }
        });
        assertTrue(closing.isClosed());
    }

    /** Same, at construction: a new loop could not be made while a dropped loop's warning threw. */
    @Test(timeout = 60_000)
    public void aThrowingLogHandlerOnADroppedLoopsWarningDoesNotFailANewLoop() throws Exception {
        whileItsWarningThrows(DroppedLoop.drop(loop -> { }), () -> {
            try {
                new ParkingEventLoop().close();
            } catch (RuntimeException e) {
                fail("a new loop's construction threw what a dropped loop's warning threw: " + e);
            }
        });
    }

    /**
     * The warning was said before anything was closed, and the loop marked done first: one that threw left
     * every resource of the dropped loop (here its signal listener, so the process's handler) open for good.
     */
    @Test(timeout = 60_000)
    public void aThrowingWarningLeavesNothingOfTheDroppedLoopOpen() throws Exception {
        Signal signal = new Signal("WINCH");
        SignalHandler before = Signal.handle(signal, SignalHandler.SIG_IGN);
        ParkingEventLoop closing = new ParkingEventLoop();
        try {
            whileItsWarningThrows(DroppedLoop.drop(loop -> loop.addSignalHandler(SignalNumbers.number("SIGWINCH"), () -> { })),
                    closing::close);
            new ParkingEventLoop().close(); // another look for dropped loops, with a log handler that does not throw
            assertSame("the dropped loop's signal handler was removed, the process's handler restored",
                    SignalHandler.SIG_IGN, Signal.handle(signal, SignalHandler.SIG_IGN));
        } finally {
            Signal.handle(signal, before);
        }
    }

    // Once `dropped` is garbage, runs `action` (which makes or closes a loop) with a log handler that throws on its warning.
    private static void whileItsWarningThrows(DroppedLoop dropped, Runnable action) throws InterruptedException {
        dropped.awaitCollected();
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Handler throwing = LogHandlers.calling(record -> {
            if (record.getMessage() != null && record.getMessage().contains("unclosed event loop")) {
                throw new IllegalStateException("a log handler's own failure");
            }
        });
        logger.addHandler(throwing);
        try {
            action.run();
        } finally {
            logger.removeHandler(throwing);
        }
    }
}
