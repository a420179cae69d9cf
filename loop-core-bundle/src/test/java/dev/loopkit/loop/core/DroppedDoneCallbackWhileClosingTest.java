package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.testing.LogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * Futures completed on other threads while their loop finishes its close: the loop is closed (its
 * owner cleared) but the closing thread still runs what comes after, here the user's default executor's
 * {@code shutdown()}. Each refused done callback must be said dropped, and {@code setResult} must not
 * throw. The refusals' warnings went to the closing thread's list of what it says once closed, a plain
 * list any thread reached while no thread owned the loop: 700 to 13,000 of 80,000 warnings were lost
 * in every round, and {@code setResult} threw ArrayIndexOutOfBoundsException or NullPointerException
 * (an outside review).
 */
public class DroppedDoneCallbackWhileClosingTest {

    private static final int COMPLETERS = 4;
    private static final int FUTURES_EACH = 5_000;

    @Test(timeout = 120_000)
    public void everyRefusedDoneCallbackIsSaidAndNoCompleterSeesAnError() throws Exception {
        for (int round = 0; round < 3; round++) {
            oneRound(round);
        }
    }

    private static void oneRound(int round) throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        SlowShutdown executor = new SlowShutdown();
        loop.setDefaultExecutor(executor);
        AtomicInteger ran = new AtomicInteger();
        List<List<LoopFuture<Integer>>> futures = new ArrayList<>();
        for (int t = 0; t < COMPLETERS; t++) {
            List<LoopFuture<Integer>> mine = new ArrayList<>();
            for (int i = 0; i < FUTURES_EACH; i++) {
                LoopFuture<Integer> future = loop.createFuture();
                future.addDoneCallback(done -> ran.incrementAndGet());
                mine.add(future);
            }
            futures.add(mine);
        }
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            Thread closer = new Thread(loop::close, "closer");
            closer.start();
            assertTrue("the close never reached the executor's shutdown", executor.inShutdown.await(10, TimeUnit.SECONDS));
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> completers = new ArrayList<>();
            for (List<LoopFuture<Integer>> mine : futures) {
                Thread completer = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (LoopFuture<Integer> future : mine) {
                        try {
                            future.setResult(1);
                        } catch (Throwable e) {
                            thrown.add(e);
                        }
                    }
                }, "completer");
                completer.start();
                completers.add(completer);
            }
            go.countDown();
            for (Thread completer : completers) {
                completer.join(60_000);
            }
            executor.release.countDown();
            closer.join(30_000);
            assertFalse("the close never returned", closer.isAlive());
            long said = log.messages().stream().filter(m -> m.contains("done callback of") && m.contains("dropped")).count();
            assertEquals("round " + round + ": setResult threw " + thrown, List.of(), thrown);
            assertEquals("round " + round + ": ran " + ran + ", said dropped " + said, COMPLETERS * FUTURES_EACH, ran.get() + said);
        }
    }

    /**
     * The close runs the user's executor's {@code shutdown()} before what it put off, and a
     * {@code shutdown()} may throw (a SecurityException, as its contract allows): what was put off was
     * never said, and the closing thread stayed the one whose warnings go to a list nobody reads (an
     * outside review). The close still throws it, having said everything.
     */
    @Test(timeout = 60_000)
    public void whatTheClosePutOffIsSaidWhenTheExecutorsShutdownThrows() throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setDefaultExecutor(new SlowShutdown() {
            @Override
            public void shutdown() {
                throw new SecurityException("no shutdown here");
            }
        });
        LoopFuture<Void> released = loop.createFuture();
        released.addDoneCallback(done -> { });
        loop.track(() -> released.setResult(null)); // as a server's release completes its waitClosed()
        LoopFuture<Void> later = loop.createFuture();
        later.addDoneCallback(done -> { });
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            try {
                loop.close();
                fail("the executor's SecurityException was swallowed");
            } catch (SecurityException expected) {
                // the user's, passed on
            }
            assertEquals("the release's dropped callback was said", 1, dropped(log));
            later.setResult(null); // on the thread that closed: said at once, not put off for ever
            assertEquals("a later refusal on the closing thread was said", 2, dropped(log));
        }
    }

    private static long dropped(LogCapture log) {
        return log.messages().stream().filter(m -> m.contains("done callback of") && m.contains("dropped")).count();
    }

    /** A default executor whose {@code shutdown()} (user code the close runs once the loop is closed) waits to be let go. */
    private static class SlowShutdown extends AbstractExecutorService {
        final CountDownLatch inShutdown = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void shutdown() {
            inShutdown.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown();
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return inShutdown.getCount() == 0;
        }

        @Override
        public boolean isTerminated() {
            return isShutdown();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }

        @Override
        public void execute(Runnable command) {
            throw new AssertionError("nothing runs in the executor here");
        }
    }
}
