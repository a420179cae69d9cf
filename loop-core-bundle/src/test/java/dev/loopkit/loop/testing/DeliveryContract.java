package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.loopkit.api.TimerHandle;
import dev.loopkit.loop.core.BaseEventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * Nothing lost, nothing hung: every callback a loop accepted runs or is reported, and no timer,
 * however far in the past or future, stops the loop from waking. Each loop implementation runs it
 * by extending this class.
 */
public abstract class DeliveryContract extends LoopTestSupport {

    /**
     * Rounds of the shutdown stress. Before the inbound queue's drain waited for half-done offers,
     * about a third of the rounds lost callbacks, so the default fails a broken loop all but surely
     * in a few seconds; {@code -Dloopkit.stress.rounds=200} runs longer.
     */
    private static final int STRESS_ROUNDS = Integer.getInteger("loopkit.stress.rounds", 25);
    private static final int PRODUCERS = 8;
    /** Each producer stops here if the loop has not refused it before: a round stays short. */
    private static final int PER_PRODUCER = 20_000;
    private static final String NEVER_RAN = "Event loop closed before the callback ran: ";

    // ---- nothing lost -----------------------------------------------------------------------------------

    @Test
    public void shutdownWhileThreadsScheduleRunsOrReportsEveryAcceptedCallback() throws Exception {
        for (int round = 0; round < STRESS_ROUNDS; round++) {
            BaseEventLoop target = newLoop();
            LongAdder reported = new LongAdder();
            target.setExceptionHandler((l, context) -> {
                if (String.valueOf(context.get("message")).startsWith(NEVER_RAN)) {
                    reported.increment();
                }
            });
            Tally tally = scheduleWhile(target, running -> running.shutdown("stress round"));
            assertTrue(target.isClosed());
            assertEquals("round " + round + ": accepted " + tally.accepted + ", ran " + tally.ran
                    + ", reported " + reported.sum(), tally.accepted, tally.ran + reported.sum());
        }
    }

    @Test
    public void closeWhileThreadsScheduleCountsEveryDroppedCallback() throws Exception {
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Level level = logger.getLevel();
        logger.setLevel(Level.FINE);
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            for (int round = 0; round < STRESS_ROUNDS; round++) {
                BaseEventLoop target = newLoop();
                Tally tally = scheduleWhile(target, running -> {
                    running.stop();
                    awaitStopped(running);
                    running.close();
                });
                long dropped = droppedBy(target, log.records());
                assertEquals("round " + round + ": accepted " + tally.accepted + ", ran " + tally.ran
                        + ", dropped (DEBUG line) " + dropped, tally.accepted, tally.ran + dropped);
            }
        } finally {
            logger.setLevel(level);
        }
    }

    @Test
    public void anExceptionHandlerReportingAtShutdownMayUseTheLoopAgain() throws Exception {
        // Reentrancy: the reports run after the close, outside its lock, so the handler may call
        // the loop back: scheduling is refused in asyncio's words, closing again does nothing.
        List<String> seen = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> {
            seen.add(String.valueOf(context.get("message")));
            try {
                l.callSoonThreadsafe(() -> { });
                seen.add("accepted after close");
            } catch (IllegalStateException closed) {
                seen.add(closed.getMessage());
            }
            l.close();
            ((BaseEventLoop) l).shutdown("again");
        });
        loop.callLater(3600, () -> { });
        Thread closer = new Thread(() -> loop.shutdown("bundle stopped"));
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse("shutdown did not return", closer.isAlive());
        assertTrue(loop.isClosed());
        assertEquals(List.of(NEVER_RAN + "bundle stopped", "Event loop is closed"), seen);
    }

    /** What was accepted and what ran while {@value #PRODUCERS} threads scheduled onto a loop that {@code end} closed. */
    private static final class Tally {
        long accepted;
        long ran;
    }

    // Runs the loop on a thread of its own; once it runs, PRODUCERS threads call callSoonThreadsafe
    // until the loop refuses (or PER_PRODUCER times), and after the first thousand callbacks ran
    // another thread ends it.
    private Tally scheduleWhile(BaseEventLoop target, Consumer<BaseEventLoop> end) throws Exception {
        LongAdder accepted = new LongAdder();
        LongAdder ran = new LongAdder();
        Runnable callback = ran::increment;
        Thread runner = new Thread(target::runForever, "delivery-loop");
        runner.start();
        assertTrue("the loop never ran", Leaks.await(target::isRunning, 10));
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            Thread producer = new Thread(() -> {
                awaitQuietly(start);
                long mine = 0;
                try {
                    while (mine < PER_PRODUCER) {
                        target.callSoonThreadsafe(callback);
                        mine++;
                    }
                } catch (IllegalStateException closed) {
                    assertEquals("Event loop is closed", closed.getMessage());
                } finally {
                    accepted.add(mine);
                }
            }, "delivery-producer-" + p);
            producer.start();
            producers.add(producer);
        }
        start.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ran.sum() < 1000 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        Thread closer = new Thread(() -> end.accept(target), "delivery-closer");
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(20));
        for (Thread producer : producers) {
            producer.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(producer.getName() + " still schedules onto a closed loop", producer.isAlive());
        }
        runner.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse("the loop thread did not end", runner.isAlive() || closer.isAlive());
        Tally tally = new Tally();
        tally.accepted = accepted.sum();
        tally.ran = ran.sum();
        return tally;
    }

    private static void awaitStopped(BaseEventLoop target) {
        if (!Leaks.await(() -> !target.isRunning(), 20)) {
            fail("the loop did not stop");
        }
    }

    // The count in "<loop> closed with N pending callbacks dropped", 0 if the loop logged none.
    private static long droppedBy(BaseEventLoop target, List<LogRecord> records) {
        Pattern line = Pattern.compile("(.*) closed with (\\d+) pending callbacks dropped");
        long dropped = 0;
        for (LogRecord record : records) {
            Matcher matcher = line.matcher(new SimpleFormatter().formatMessage(record));
            if (matcher.matches() && matcher.group(1).contains(" #" + target.id() + " ")) {
                dropped += Long.parseLong(matcher.group(2));
            }
        }
        return dropped;
    }

    // ---- nothing hung -----------------------------------------------------------------------------------

    @Test
    public void aTimerFarInThePastRunsAtOnce() {
        // asyncio runs them in the next iteration: their `when` is before the loop's time.
        assertRunsAtOnce("callLater(-1e10)", callback -> loop.callLater(-1e10, callback));
        assertRunsAtOnce("callLater(-Infinity)", callback -> loop.callLater(Double.NEGATIVE_INFINITY, callback));
        assertRunsAtOnce("callAt(-1e10)", callback -> loop.callAt(-1e10, callback));
        assertRunsAtOnce("callAt(-Infinity)", callback -> loop.callAt(Double.NEGATIVE_INFINITY, callback));
        assertRunsAtOnce("callLater(-Long.MAX_VALUE ns)", callback -> loop.callLater(-Long.MAX_VALUE / 1e9, callback));
    }

    @Test
    public void aTimerAtNanRunsAtOnceAsAsyncioDoes() {
        // asyncio accepts call_at(nan) and call_later(nan); its due check (`when >= end_time`) is
        // false for NaN, so the timer runs in the next iteration. (An idle asyncio loop with such a
        // timer first fails in select() with "cannot convert float NaN to integer": not copied.)
        assertRunsAtOnce("callLater(NaN)", callback -> loop.callLater(Double.NaN, callback));
        assertRunsAtOnce("callAt(NaN)", callback -> loop.callAt(Double.NaN, callback));
        assertTrue(Double.isNaN(loop.callAt(Double.NaN, () -> { }).when()));
    }

    @Test
    public void aTimerAtInfinityNeverRunsAndTheLoopGoesOn() {
        List<String> ran = new ArrayList<>();
        TimerHandle never = loop.callLater(Double.POSITIVE_INFINITY, () -> ran.add("+Infinity"));
        loop.callAt(Double.POSITIVE_INFINITY, () -> ran.add("callAt(+Infinity)"));
        loop.callLater(1e300, () -> ran.add("1e300"));
        loop.callLater(Long.MAX_VALUE / 1e9, () -> ran.add("Long.MAX_VALUE ns"));
        assertEquals(Double.POSITIVE_INFINITY, never.when(), 0);
        CompletableFuture<Void> later = new CompletableFuture<>();
        loop.callLater(0.01, () -> later.complete(null));
        runGuarded(loop, later, "a normal timer behind timers at +Infinity");
        assertEquals(List.of(), ran);
    }

    /** Schedules a timer with the given callback. */
    @FunctionalInterface
    protected interface Scheduler {
        TimerHandle schedule(Runnable callback);
    }

    // Schedules a timer from a callback, then a normal one behind it: both must fire, the first at once.
    private void assertRunsAtOnce(String what, Scheduler scheduler) {
        CompletableFuture<Void> fired = new CompletableFuture<>();
        CompletableFuture<Void> later = new CompletableFuture<>();
        loop.callSoon(() -> {
            try {
                TimerHandle handle = scheduler.schedule(() -> fired.complete(null));
                assertFalse(what + " is due: when=" + handle.when(), handle.when() > loop.time());
                loop.callLater(0.001, () -> later.complete(null));
            } catch (RuntimeException | AssertionError e) {
                fired.completeExceptionally(e);
            }
        });
        runGuarded(loop, fired, what);
        runGuarded(loop, later, "a normal timer after " + what);
    }
}
