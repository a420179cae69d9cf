package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.signals.SignalNumbers;
import dev.loopkit.testsupport.LogHandlers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.junit.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * An add and a remove of one signal's handler from two threads end as one order of the two would:
 * the remove took the dispatcher's listener out and then, outside any lock, the handler out of the
 * loop's map; an add in between put its handler in the map and the listener back, and the remove then
 * took the new handler out. The process's handler stayed, {@code removeSignalHandler} said a handler was
 * there, and the signal ran nothing (an outside review). The remover is held, for certain, by a log
 * handler (user code) on the dispatcher's "changed by outside code" warning: between its two steps
 * before, after both now that the warning is said once the loop's lock is released.
 */
public class SignalHandlersRaceTest {

    @Test(timeout = 60_000)
    public void anAddDuringARemoveEndsAsOneOrderOfTheTwo() throws Exception {
        int winch = SignalNumbers.number("SIGWINCH");
        Signal signal = new Signal("WINCH");
        SignalHandler before = Signal.handle(signal, SignalHandler.SIG_IGN);
        ParkingEventLoop loop = new ParkingEventLoop();
        CountDownLatch inWarning = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Handler handler = LogHandlers.calling(record -> {
            if (record.getMessage() != null && record.getMessage().contains("changed by outside code")
                    && Thread.currentThread().getName().equals("remover")) {
                inWarning.countDown();
                try {
                    proceed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        logger.addHandler(handler);
        try {
            loop.addSignalHandler(winch, () -> { });
            Signal.handle(signal, s -> { }); // outside code replaces the process's handler: the remove warns
            boolean[] removed = new boolean[1];
            Thread remover = new Thread(() -> removed[0] = loop.removeSignalHandler(winch), "remover");
            remover.start();
            assertTrue("the remover reached its warning", inWarning.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> ran = new CompletableFuture<>();
            loop.addSignalHandler(winch, () -> ran.complete(null)); // while the remover is in its warning
            proceed.countDown();
            remover.join(10_000);
            assertTrue(removed[0]);

            // The remove, then the add: the new handler is set (the signal runs it, and a remove says it was
            // there). The add, then the remove: none is (nothing runs, and a remove says false).
            loop.callLater(10, loop::stop); // guard
            loop.callSoon(() -> kill(winch));
            ran.whenComplete((ok, e) -> loop.stop());
            loop.runForever();
            boolean handlerRan = ran.isDone();
            boolean removeSaysItWasThere = loop.removeSignalHandler(winch);
            assertEquals("the signal ran the handler exactly when a handler is said to be set", removeSaysItWasThere, handlerRan);
        } finally {
            logger.removeHandler(handler);
            loop.close();
            Signal.handle(signal, before);
        }
    }

    private static void kill(int signum) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signum, String.valueOf(ProcessHandle.current().pid())).start();
            assertEquals(0, kill.waitFor());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
