package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.signals.SignalNumbers;
import dev.loopkit.testsupport.LogHandlers;
import dev.loopkit.testsupport.OtherThread;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.junit.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While one thread closes a loop, a close() on another thread waits until it is closed. So the user
 * code that closing runs (the default executor's shutdown(), if the user set it; the log handlers of
 * the warnings said as its signal handlers go) must run once the loop is closed, not while it closes:
 * it may hand a close() to another thread and wait for it.
 */
public class LoopCloseReentrancyTest {

    private static final long WAIT_SECONDS = OtherThread.WAIT_SECONDS;

    @Test(timeout = 60_000)
    public void aUserExecutorsShutdownThatWaitsForAnotherThreadsCloseDoesNotDeadlock() throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        CompletableFuture<Boolean> returnedInTime = new CompletableFuture<>();
        ThreadPoolExecutor users = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>()) {
            @Override
            public void shutdown() {
                super.shutdown();
                if (!returnedInTime.isDone()) {
                    returnedInTime.complete(onAnotherThread(loop, ParkingEventLoop::close));
                }
            }
        };
        loop.setDefaultExecutor(users);
        loop.close();
        assertTrue("the loop shut the user's executor down", returnedInTime.isDone());
        assertEquals("the other thread's close() returned while the executor shut down", true, returnedInTime.get());
        assertTrue(users.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test(timeout = 60_000)
    public void aLogHandlerThatWaitsForAnotherThreadsCloseWhileASignalHandlerGoesDoesNotDeadlock() throws Exception {
        Signal winch = new Signal("WINCH");
        SignalHandler before = Signal.handle(winch, SignalHandler.SIG_IGN);
        ParkingEventLoop loop = new ParkingEventLoop();
        CompletableFuture<Boolean> returnedInTime = new CompletableFuture<>();
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Handler handler = closingOnAnotherThreadWhenLogged("changed by outside code", loop, returnedInTime);
        logger.addHandler(handler);
        try {
            loop.addSignalHandler(SignalNumbers.number("WINCH"), () -> { });
            Signal.handle(winch, signal -> { }); // outside code replaces the loop's handler
            loop.close();
            assertTrue("the warning was said", returnedInTime.isDone());
            assertEquals("the other thread's close() returned while the warning was said", true, returnedInTime.get());
        } finally {
            logger.removeHandler(handler);
            Signal.handle(winch, before);
        }
    }

    /**
     * What a loop dropped unclosed held is closed by the next loop that closes, with asyncio's warning
     * "unclosed event loop": that ran while the closing loop still closed, so a log handler that closes
     * that loop on another thread waited for ever (an outside review). It runs once the loop is closed now.
     */
    @Test(timeout = 120_000)
    public void aDroppedLoopsWarningSaidByAnotherLoopsCloseMayWaitForThatClose() throws Exception {
        ParkingEventLoop closing = new ParkingEventLoop();
        DroppedLoop.drop(dropped -> { }).awaitCollected();
        // closes what the dropped loop held, and says so
        CompletableFuture<Boolean> returnedInTime = closeWhileAHandlerClosesItOnAnotherThread(closing, "unclosed event loop");
        assertTrue("the dropped loop was warned of", returnedInTime.isDone());
        assertEquals("the other thread's close() returned while the warning was said", true, returnedInTime.get());
    }

    /**
     * In debug mode a closing loop says "Close <loop>" (asyncio's logger.debug("Close %r", self)): it was
     * said while the loop was CLOSING, so a log handler that closed the loop on another thread waited for
     * ever, as that close() waits for the loop to be closed (an outside review of user code under locks).
     */
    @Test(timeout = 60_000)
    public void aLogHandlerThatWaitsForAnotherThreadsCloseWhileADebugLoopSaysCloseDoesNotDeadlock() throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setDebug(true);
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        java.util.logging.Level levelBefore = logger.getLevel();
        logger.setLevel(java.util.logging.Level.FINE);
        CompletableFuture<Boolean> returnedInTime;
        try {
            returnedInTime = closeWhileAHandlerClosesItOnAnotherThread(loop, "Close {0}");
        } finally {
            logger.setLevel(levelBefore);
        }
        assertTrue("the debug line was said", returnedInTime.isDone());
        assertEquals("the other thread's close() returned while \"Close <loop>\" was said", true, returnedInTime.get());
    }

    /**
     * What the loop owns is released while it closes; a release that completes a future (a server's
     * waitClosed(), released with its loop) has its done callbacks refused by the closing loop, and the
     * future says so ("done callback of ... dropped: Event loop is closed"). That was said while the loop
     * was CLOSING: a log handler that closed the loop on another thread waited for ever (an outside review).
     */
    @Test(timeout = 60_000)
    public void aLogHandlerOfADoneCallbackDroppedAsTheLoopClosesMayWaitForAnotherThreadsClose() throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        LoopFuture<Void> waiting = loop.createFuture();
        waiting.addDoneCallback(done -> { });
        loop.track(() -> waiting.setResult(null)); // as a server's release completes its waitClosed()
        CompletableFuture<Boolean> returnedInTime = closeWhileAHandlerClosesItOnAnotherThread(loop, "dropped");
        assertTrue("the dropped callback was warned of", returnedInTime.isDone());
        assertEquals("the other thread's close() returned while the warning was said", true, returnedInTime.get());
    }

    /**
     * Closes {@code loop} while a log handler of {@code dev.loopkit.loop} closes it on another thread at the
     * first record containing {@code words}: whether that close returned in time, incomplete if nothing
     * such was said.
     */
    private static CompletableFuture<Boolean> closeWhileAHandlerClosesItOnAnotherThread(ParkingEventLoop loop, String words) {
        CompletableFuture<Boolean> returnedInTime = new CompletableFuture<>();
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Handler handler = closingOnAnotherThreadWhenLogged(words, loop, returnedInTime);
        logger.addHandler(handler);
        try {
            loop.close();
        } finally {
            logger.removeHandler(handler);
        }
        return returnedInTime;
    }

    // Runs call on another thread and waits for it as long as a test may: whether it returned.
    private static boolean onAnotherThread(ParkingEventLoop loop, Consumer<ParkingEventLoop> call) {
        return OtherThread.returns(() -> call.accept(loop));
    }

    /**
     * A log handler (user code) that, at the first record containing {@code words}, closes {@code loop} on
     * another thread and records whether that close returned in time.
     */
    private static Handler closingOnAnotherThreadWhenLogged(String words, ParkingEventLoop loop,
            CompletableFuture<Boolean> returnedInTime) {
        return LogHandlers.calling(record -> {
            if (record.getMessage() != null && record.getMessage().contains(words) && !returnedInTime.isDone()) {
                returnedInTime.complete(onAnotherThread(loop, ParkingEventLoop::close));
            }
        });
    }
}
