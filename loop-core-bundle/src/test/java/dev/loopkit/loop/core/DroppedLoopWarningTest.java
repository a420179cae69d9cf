package dev.loopkit.loop.core;

import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.loopkit.signals.SignalNumbers;
import dev.loopkit.testsupport.LogHandlers;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
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

    /**
     * A log handler that throws on "unclosed event loop" (user code): the exception leaves
     * UnclosedLoops.closeDropped() and so the close() of an unrelated, healthy loop.
     */
    @Test(timeout = 60_000)
    public void aThrowingLogHandlerOnADroppedLoopsWarningDoesNotFailAnotherLoopsClose() throws Exception {
        ParkingEventLoop closing = new ParkingEventLoop();
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Handler throwing = throwingOnUnclosed();
        Reference<?>[] tracked = new Reference<?>[1];
        WeakReference<BaseEventLoop> dropped = dropLoop(loop -> { }, tracked);
        awaitDropped(dropped, tracked);
        logger.addHandler(throwing);
        try {
            closing.close();
        } catch (RuntimeException e) {
            fail("close() of a healthy loop threw what a dropped loop's warning threw: " + e);
        } finally {
            logger.removeHandler(throwing);
        }
        assertTrue(closing.isClosed());
    }

    /**
     * Same, at construction: a new loop cannot be made while a dropped loop's warning throws.
     */
    @Test(timeout = 60_000)
    public void aThrowingLogHandlerOnADroppedLoopsWarningDoesNotFailANewLoop() throws Exception {
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Handler throwing = throwingOnUnclosed();
        Reference<?>[] tracked = new Reference<?>[1];
        WeakReference<BaseEventLoop> dropped = dropLoop(loop -> { }, tracked);
        awaitDropped(dropped, tracked);
        logger.addHandler(throwing);
        ParkingEventLoop made = null;
        try {
            made = new ParkingEventLoop();
        } catch (RuntimeException e) {
            fail("a new loop's construction threw what a dropped loop's warning threw: " + e);
        } finally {
            logger.removeHandler(throwing);
            if (made != null) {
                made.close();
            }
        }
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
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Handler throwing = throwingOnUnclosed();
        try {
            Reference<?>[] tracked = new Reference<?>[1];
            WeakReference<BaseEventLoop> dropped = dropLoop(
                    loop -> loop.addSignalHandler(SignalNumbers.number("SIGWINCH"), () -> { }), tracked);
            awaitDropped(dropped, tracked);
            logger.addHandler(throwing);
            try {
                closing.close();
            } finally {
                logger.removeHandler(throwing);
            }
            new ParkingEventLoop().close(); // another look for dropped loops, with a log handler that does not throw
            assertSame("the dropped loop's signal handler was removed, the process's handler restored",
                    SignalHandler.SIG_IGN, Signal.handle(signal, SignalHandler.SIG_IGN));
        } finally {
            Signal.handle(signal, before);
        }
    }

    private static Handler throwingOnUnclosed() {
        return LogHandlers.calling(record -> {
            if (record.getMessage() != null && record.getMessage().contains("unclosed event loop")) {
                throw new IllegalStateException("a log handler's own failure");
            }
        });
    }

    interface Setup {
        void apply(ParkingEventLoop loop) throws Exception;
    }

    private static WeakReference<BaseEventLoop> dropLoop(Setup setup, Reference<?>[] tracked) throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        setup.apply(loop);
        Field unclosed = BaseEventLoop.class.getDeclaredField("unclosed");
        unclosed.setAccessible(true);
        tracked[0] = (Reference<?>) unclosed.get(loop);
        return new WeakReference<>(loop);
    }

    @SuppressWarnings("deprecation")
    private static void awaitDropped(WeakReference<BaseEventLoop> dropped, Reference<?>[] tracked) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((dropped.get() != null || !tracked[0].isEnqueued()) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull("the dropped loop is garbage", dropped.get());
        assertTrue("its phantom reference is queued", tracked[0].isEnqueued());
    }
}
