package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LogCapture;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.Test;

/**
 * The always-on blocked-loop detector (Vert.x's {@code BlockedThreadChecker}): one WARNING per
 * episode, with the loop's name and its thread's stack; nothing for short callbacks or with the
 * threshold at 0; its thread ends once no loop is left.
 */
public class BlockedLoopDetectorTest {

    private static final String CHECKER = "loopkit-blocked-loop-checker";
    private static final double HANG_GUARD_SECONDS = 30;

    private static List<LogRecord> warnings(LogCapture log) {
        return log.records().stream().filter(r -> r.getLevel() == Level.WARNING).toList();
    }

    private static void sleepOnTheLoop(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test(timeout = 60_000)
    public void aCallbackThatBlocksLogsOneWarningWithTheLoopAndItsStack() {
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            ParkingEventLoop loop = new ParkingEventLoop();
            loop.setBlockedLoopWarning(0.5);
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.callSoon(() -> {
                sleepOnTheLoop(3000);
                done.complete(null);
            });
            loop.runUntilComplete(done);
            loop.close();

            List<LogRecord> warnings = warnings(log);
            assertEquals("one warning per episode: " + log.messages(), 1, warnings.size());
            String message = warnings.get(0).getMessage();
            assertTrue(message, message.startsWith("Executing <Handle "));
            assertTrue(message, message.contains(" seconds so far"));
            assertTrue(message, message.contains("ParkingEventLoop #" + loop.id()));
            StackTraceElement[] stack = warnings.get(0).getThrown().getStackTrace();
            assertTrue(Arrays.toString(stack), Arrays.stream(stack).anyMatch(
                    frame -> frame.getMethodName().equals("sleepOnTheLoop")));
        }
    }

    @Test(timeout = 60_000)
    public void manyShortCallbacksLogNothing() {
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            ParkingEventLoop loop = new ParkingEventLoop();
            loop.setBlockedLoopWarning(0.5);
            CompletableFuture<Void> done = new CompletableFuture<>();
            long end = System.nanoTime() + 1_500_000_000L;
            Runnable[] next = new Runnable[1];
            next[0] = () -> {
                if (System.nanoTime() < end) {
                    sleepOnTheLoop(1);
                    loop.callSoon(next[0]);
                } else {
                    done.complete(null);
                }
            };
            loop.callSoon(next[0]);
            loop.runUntilComplete(done);
            loop.close();
            assertEquals(log.messages().toString(), List.of(), warnings(log));
        }
    }

    @Test(timeout = 60_000)
    public void thresholdZeroTurnsItOff() {
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            ParkingEventLoop loop = new ParkingEventLoop();
            loop.setBlockedLoopWarning(0);
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.callSoon(() -> {
                sleepOnTheLoop(1500);
                done.complete(null);
            });
            loop.runUntilComplete(done);
            loop.close();
            assertEquals(log.messages().toString(), List.of(), warnings(log));
        }
    }

    @Test(timeout = 60_000)
    public void oneCheckerForAllLoopsThatEndsAfterTheLastLoopCloses() throws InterruptedException {
        ParkingEventLoop first = new ParkingEventLoop();
        ParkingEventLoop second = new ParkingEventLoop();
        Thread firstThread = runInItsOwnThread(first);
        Thread secondThread = runInItsOwnThread(second);
        awaitACallbackOn(first);
        awaitACallbackOn(second);
        // An earlier test's checker, lingering, may be on its way out as these loops start another.
        assertTrue("one checker for all loops: " + Leaks.threads(CHECKER),
                Leaks.await(() -> Leaks.threads(CHECKER).equals(List.of(CHECKER)), HANG_GUARD_SECONDS));

        first.shutdown("test over");
        firstThread.join();
        assertEquals("a loop still runs", List.of(CHECKER), Leaks.threads(CHECKER));
        second.shutdown("test over");
        secondThread.join();
        assertTrue("checker left: " + Leaks.threads(CHECKER),
                Leaks.await(() -> Leaks.threads(CHECKER).isEmpty(), HANG_GUARD_SECONDS));
    }

    /**
     * The checker is one thread for the process, started by whichever thread runs a loop first: in a
     * host (an OSGi framework, a servlet container) that thread's context class loader is often a
     * plugin's, which the checker, living while any loop runs (the platform's main loop), kept
     * reachable after the plugin was gone (an outside review). Netty's process-wide threads take none.
     */
    @Test(timeout = 60_000)
    public void theCheckerKeepsNoContextClassLoaderOfTheThreadThatStartedIt() throws Exception {
        assertTrue("an earlier test's checker is still there: " + Leaks.threads(CHECKER),
                Leaks.await(() -> Leaks.threads(CHECKER).isEmpty(), HANG_GUARD_SECONDS));
        ClassLoader own = Thread.currentThread().getContextClassLoader();
        try (java.net.URLClassLoader plugin = new java.net.URLClassLoader("plugin", new java.net.URL[0], null)) {
            Thread.currentThread().setContextClassLoader(plugin);
            ParkingEventLoop loop = new ParkingEventLoop();
            AtomicReference<ClassLoader> checkers = new AtomicReference<>();
            CompletableFuture<Void> looked = new CompletableFuture<>();
            loop.callSoon(() -> {
                Thread checker = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(CHECKER))
                        .findFirst().orElseThrow(() -> new AssertionError("no checker thread"));
                checkers.set(checker.getContextClassLoader());
                looked.complete(null);
            });
            try {
                loop.runUntilComplete(looked);
            } finally {
                loop.close();
                Thread.currentThread().setContextClassLoader(own);
            }
            assertTrue("the checker's context class loader is the plugin's", checkers.get() != plugin);
        }
    }

    // A callback runs once its loop's run has begun, the checker's watch included: isRunning() is
    // true a moment earlier, and a test that looked for the checker then found none under load
    // ("a loop still runs expected:<[loopkit-blocked-loop-checker]> but was:<[]>").
    private static void awaitACallbackOn(ParkingEventLoop loop) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        loop.callSoonThreadsafe(ran::countDown);
        assertTrue("no callback ran on " + loop, ran.await((long) HANG_GUARD_SECONDS, TimeUnit.SECONDS));
    }

    private static Thread runInItsOwnThread(ParkingEventLoop loop) {
        Thread thread = new Thread(loop::runForever, "loop " + loop.id());
        thread.start();
        return thread;
    }

    @Test(timeout = 60_000)
    public void theDetectorKeepsNoCallbackAliveAfterItRan() {
        ParkingEventLoop loop = new ParkingEventLoop();
        try {
            AtomicReference<WeakReference<Runnable>> ran = new AtomicReference<>();
            // Scheduled on the loop thread, so only the ready queue and the scheduler ever hold it
            // (a callback from another thread stays the inbound queue's last node: not this test's matter).
            loop.callSoon(() -> {
                Runnable last = new LastCallback(loop);
                ran.set(new WeakReference<>(last));
                loop.callSoon(last);
            });
            loop.runForever(); // the last callback stops it
            assertTrue("the run's last callback is still reachable", Leaks.await(() -> {
                System.gc();
                return ran.get().get() == null;
            }, 10));
        } finally {
            loop.close();
        }
    }

    /** Heavy enough that keeping it would matter; stops the loop, so it is the run's last callback. */
    private static final class LastCallback implements Runnable {
        private final ParkingEventLoop loop;
        @SuppressWarnings("unused")
        private final byte[] weight = new byte[1 << 20];

        LastCallback(ParkingEventLoop loop) {
            this.loop = loop;
        }

        @Override
        public void run() {
            loop.stop();
        }
    }

    @Test(timeout = 60_000)
    public void theInvalidSettingIsRefusedInClearWords() {
        ParkingEventLoop loop = new ParkingEventLoop();
        try {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> loop.setBlockedLoopWarning(-1));
            assertEquals("blocked loop warning must be >= 0, not -1.0", refused.getMessage());
            assertEquals(0.0, loop.getBlockedLoopWarning() - 2.0, 0.0); // the default, unchanged
        } finally {
            loop.close();
        }
    }

    /** The process-wide default (configuration {@code blockedLoopWarning} of the platform) is what new loops start with. */
    @Test
    public void theProcessDefaultIsWhatNewLoopsStartWithAndBadValuesAreRefused() {
        long before = Scheduler.defaultBlockedLoopWarningNanos();
        try {
            Scheduler.setDefaultBlockedLoopWarningNanos(500_000_000L);
            ParkingEventLoop loop = new ParkingEventLoop();
            assertEquals(0.5, loop.getBlockedLoopWarning(), 0);
            loop.close();
            Scheduler.setDefaultBlockedLoopWarningNanos(0);
            ParkingEventLoop off = new ParkingEventLoop();
            assertEquals(0, off.getBlockedLoopWarning(), 0);
            off.close();
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> Scheduler.setDefaultBlockedLoopWarningNanos(-1));
            assertEquals("blocked loop warning must be >= 0 nanoseconds, not -1", negative.getMessage());
            assertEquals(0, Scheduler.defaultBlockedLoopWarningNanos());
        } finally {
            Scheduler.setDefaultBlockedLoopWarningNanos(before);
        }
        assertEquals(Scheduler.propertyBlockedLoopWarningNanos(), Scheduler.defaultBlockedLoopWarningNanos());
    }
}
