package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.testsupport.LogHandlers;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The blocked-loop detector's one thread serves every loop of the process, so it must run no user
 * code: it named the blocking callback (its {@code toString()}) and logged on that thread, and a
 * callback whose {@code toString()} threw, or waited for the monitor its {@code run()} held, took the
 * detector away from every loop (an outside review).
 */
public class BlockedLoopCheckerRunsNoUserCodeTest {

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger("dev.loopkit.loop");
    private final Handler handler = LogHandlers.calling(record -> {
        if (record.getMessage() != null && record.getMessage().contains("so far")) {
            warnings.add(record.getMessage());
        }
    });

    @Before
    public void listen() {
        logger.addHandler(handler);
    }

    @After
    public void stopListening() {
        logger.removeHandler(handler);
    }

    /**
     * Runs {@code callbacks} with a blocked-loop warning at 0.2 s, on a loop of a thread called
     * {@code name}; completes when the run ended.
     */
    private static CompletableFuture<Void> blockOnItsOwnThread(String name, Runnable... callbacks) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            ParkingEventLoop loop = new ParkingEventLoop();
            try {
                loop.setBlockedLoopWarning(0.2);
                for (Runnable callback : callbacks) {
                    loop.callSoon(callback);
                }
                loop.callSoon(loop::stop);
                loop.runForever();
            } finally {
                loop.close();
                ended.complete(null);
            }
        }, name);
        thread.start();
        return ended;
    }

    /** A callback that blocks its loop {@code millis}, whose {@code toString} throws. */
    private static Runnable blockingWithAThrowingToString(long millis) {
        return new Runnable() {
            @Override
            public void run() {
                sleep(millis); // the block under test
            }

            @Override
            public String toString() {
                throw new IllegalStateException("toString of a half-built job");
            }
        };
    }

    /** Blocks the calling loop thread: the block the checker is to see, not a wait for an event. */
    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A callback whose toString() throws blocks its loop: the checker thread formats it, the exception
     * ends the checker thread, and the static field still names it, so no checker is ever started
     * again: a loop blocked afterwards is never reported.
     */
    @Test(timeout = 60_000)
    public void aCallbackWhoseToStringThrowsDoesNotEndTheDetectorForEveryLoop() throws Exception {
        blockOnItsOwnThread("first-loop", blockingWithAThrowingToString(800)).get(20, TimeUnit.SECONDS);
        warnings.clear();
        blockOnItsOwnThread("second-loop", () -> sleep(1500)).get(20, TimeUnit.SECONDS);
        assertTrue("a loop blocked 1.5 s with blockedLoopWarning 0.2 s after another loop's callback had a throwing"
                + " toString() was never reported; checker threads alive: " + checkerThreads(),
                warnings.stream().anyMatch(w -> w.contains("second-loop")));
    }

    /**
     * A Runnable with synchronized run() and toString() (a common Java idiom) blocks its loop: the checker
     * waits for its monitor until run() returns, and meanwhile another loop blocked is never reported.
     */
    @Test(timeout = 60_000)
    public void aCallbackWhoseToStringWaitsForItsOwnMonitorDoesNotBlindTheDetectorToOtherLoops() throws Exception {
        Runnable synchronizedJob = new Runnable() {
            @Override
            public synchronized void run() {
                sleep(4000);
            }

            @Override
            public synchronized String toString() {
                return "synchronized job";
            }
        };
        CompletableFuture<Void> first = blockOnItsOwnThread("first-loop", synchronizedJob);
        sleep(600); // the checker is in synchronizedJob.toString() now
        warnings.clear();
        CompletableFuture<Void> second = blockOnItsOwnThread("second-loop", () -> sleep(1500));
        second.get(20, TimeUnit.SECONDS);
        boolean secondReportedWhileBlocked = warnings.stream().anyMatch(w -> w.contains("second-loop"));
        first.get(20, TimeUnit.SECONDS);
        assertTrue("the second loop, blocked 1.5 s (blockedLoopWarning 0.2 s) while the first loop's callback held its own"
                + " monitor, was not reported while it was blocked; warnings: " + warnings, secondReportedWhileBlocked);
    }

    private static List<String> checkerThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("loopkit-blocked-loop-checker")).toList();
    }

    /**
     * The "is no longer blocked" line (DEBUG) named the handle with its plain {@code toString} on the
     * report thread: one that threw ended that thread and the line was lost (a second review).
     */
    @Test(timeout = 60_000)
    public void theNoLongerBlockedLineSurvivesAThrowingToString() throws Exception {
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Level levelBefore = logger.getLevel();
        List<String> lines = new CopyOnWriteArrayList<>();
        List<String> uncaught = new CopyOnWriteArrayList<>();
        Handler handler = LogHandlers.calling(record -> lines.add(record.getLevel() + " " + record.getMessage()));
        handler.setLevel(Level.ALL);
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
        logger.setLevel(Level.FINE);
        logger.addHandler(handler);
        try {
            // the second callback moves the stamp on while the loop still runs
            blockOnItsOwnThread("bad-tostring-loop", blockingWithAThrowingToString(800), () -> sleep(300))
                    .get(20, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (lines.stream().noneMatch(l -> l.contains("is no longer blocked")) && uncaught.isEmpty()
                    && System.nanoTime() < deadline) {
                sleep(20); // the lines come from report threads of their own
            }
            assertTrue("the warning was said: " + lines, lines.stream().anyMatch(l -> l.contains("so far") && l.contains("bad-tostring-loop")));
            assertEquals("report threads ended by an uncaught exception", List.of(), uncaught);
            assertTrue("no 'is no longer blocked' line: " + lines, lines.stream().anyMatch(l -> l.contains("is no longer blocked")));
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(levelBefore);
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }
}
