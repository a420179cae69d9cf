package dev.loopkit.loop.core.scheduling;

import dev.loopkit.loop.core.flight.FlightEvents;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The always-on blocked-loop detector, after Vert.x's {@code BlockedThreadChecker}: one daemon
 * thread for every loop of the process, started when the first loop runs and ended when none has run
 * for a second (so that {@code run_until_complete} after {@code run_until_complete} does not start a
 * thread each time). A loop is watched from the start of each run to its end. It wakes a few times per threshold and compares each loop's callback
 * stamp ({@link Scheduler#callbackStamp()}, odd while a callback runs) with what it saw last: the
 * same odd stamp for longer than the loop's {@code blockedLoopWarning} is a callback that blocks the
 * loop, logged once per episode with the loop thread's stack. The loop itself only bumps the stamp,
 * so the hot path reads no clock for it.
 *
 * <p>It also measures each running loop's lag with a probe: a callback it schedules as any other
 * thread would ({@code call_soon_threadsafe}), which notes how long it waited to run.
 *
 * <p>The checker runs no user code: what names the callback (its {@code toString}) and what hears the
 * warning (log handlers, the flight recorder's listeners) may throw or wait, and the one checker
 * thread watches every loop. A callback whose {@code toString} threw ended the checker for the whole
 * process, and one whose {@code toString} waited for the monitor its {@code run} held hid every other
 * loop's block meanwhile (an outside review). Each warning is said on a thread of its own, once per
 * blocked episode.
 */
final class BlockedLoopChecker implements Runnable {

    static final String THREAD_NAME = "loopkit-blocked-loop-checker";
    static final String REPORT_THREAD_NAME = "loopkit-blocked-loop-report";
    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    /** The checker looks this many times per threshold: an episode is seen at most a quarter late. */
    private static final int CHECKS_PER_THRESHOLD = 4;
    private static final long MIN_PERIOD_NANOS = 10_000_000L;
    /** At most this long between looks, whatever the threshold: the lag figure stays fresh. */
    private static final long MAX_PERIOD_NANOS = 500_000_000L;
    /** How long the checker waits for another run once no loop runs, before it ends. */
    private static final long LINGER_MILLIS = 1000;

    private static final Object LOCK = new Object();
    /** Guarded by LOCK. */
    private static final List<Watch> WATCHED = new ArrayList<>();
    /** Guarded by LOCK; {@code null} while no checker runs. */
    private static Thread checker;

    private BlockedLoopChecker() {
    }

    /**
     * Starts watching a loop that begins a run, and the checker thread if none runs.
     *
     * @throws OutOfMemoryError when the checker's thread cannot start (the host's thread limit): the
     *         loop is not watched, and the next watch tries again
     */
    static void watch(Watch watch) {
        synchronized (LOCK) {
            WATCHED.add(watch);
            if (checker == null) {
                Thread starting = processWide(new Thread(new BlockedLoopChecker(), THREAD_NAME));
                try {
                    starting.start();
                } catch (Throwable noThread) {
                    WATCHED.remove(watch);
                    throw noThread;
                }
                checker = starting;
            } else {
                LOCK.notifyAll(); // a lingering checker goes on
            }
        }
    }

    /** Stops watching a loop whose run ended. */
    static void forget(Watch watch) {
        synchronized (LOCK) {
            WATCHED.remove(watch);
        }
    }

    @Override
    public void run() {
        try {
            check();
        } finally {
            synchronized (LOCK) {
                if (checker == Thread.currentThread()) {
                    checker = null; // ended by a failure: the next watch() starts a new checker
                }
            }
        }
    }

    private void check() {
        for (;;) {
            List<Watch> watches;
            synchronized (LOCK) {
                if (WATCHED.isEmpty()) {
                    waitForRuns();
                }
                if (WATCHED.isEmpty()) {
                    checker = null; // under the lock: the next watch() starts a new checker
                    return;
                }
                watches = List.copyOf(WATCHED);
            }
            long period = MAX_PERIOD_NANOS;
            long now = System.nanoTime();
            for (Watch watch : watches) {
                long threshold;
                try {
                    threshold = watch.check(now);
                } catch (RuntimeException e) { // no loop's failure ends the checks of the others
                    reportOffThread(() -> LOG.log(Level.ERROR, "checking " + watch.scheduler.loopName() + " for a block failed", e));
                    continue;
                }
                if (threshold > 0) {
                    period = Math.min(period, Math.max(MIN_PERIOD_NANOS, threshold / CHECKS_PER_THRESHOLD));
                }
            }
            LockSupport.parkNanos(this, period);
        }
    }

    /**
     * Runs {@code report} (user code: a handle's text, log handlers) on a short-lived daemon thread. One
     * that cannot start (the host's thread limit) loses that report, not the checker: its error ended the
     * checks of every loop until one began another run.
     */
    private static void reportOffThread(Runnable report) {
        try {
            processWide(new Thread(report, REPORT_THREAD_NAME)).start();
        } catch (OutOfMemoryError noThread) {
            System.err.println("loopkit: a blocked-loop report was dropped, its thread could not start: " + noThread);
        }
    }

    /**
     * A daemon with this bundle's class loader as its context loader, not the starting thread's: that is
     * whichever thread ran a loop first, in a host often a plugin's, whose loader the checker kept
     * reachable while any loop ran (an outside review). Netty's process-wide threads do the same.
     */
    private static Thread processWide(Thread thread) {
        thread.setDaemon(true);
        thread.setContextClassLoader(BlockedLoopChecker.class.getClassLoader());
        return thread;
    }

    // Under LOCK. The checker is a daemon nobody interrupts; an interrupt just ends the wait early.
    private static void waitForRuns() {
        try {
            LOCK.wait(LINGER_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One loop as the checker sees it; the fields without {@code volatile} are the checker thread's. */
    static final class Watch {

        private final Scheduler scheduler;
        private long lastStamp = -1;
        private long stampSeenAt;
        private boolean warned;
        /** The callback the last warning named. */
        private CallbackHandle warnedHandle;
        /** When the probe on its way was sent (System.nanoTime), 0 when none is. */
        private volatile long probeSentAt;
        private volatile long lagNanos = -1;

        Watch(Scheduler scheduler) {
            this.scheduler = scheduler;
        }

        /** Looks at the loop once; returns its threshold (0: it is not to be checked). */
        private long check(long now) {
            Scheduler watched = scheduler;
            long threshold = watched.blockedLoopWarningNanos();
            long stamp = watched.callbackStamp();
            if (stamp != lastStamp) {
                if (warned) {
                    long took = now - stampSeenAt;
                    CallbackHandle handle = warnedHandle;
                    warnedHandle = null;
                    if (LOG.isLoggable(Level.DEBUG)) {
                        reportOffThread(() -> LOG.log(Level.DEBUG, String.format(Locale.ROOT, "%s is no longer blocked: %s took %.3f seconds at least",
                                watched.loopName(), String.valueOf(handle), LoopClock.toSeconds(took))));
                    }
                }
                lastStamp = stamp;
                stampSeenAt = now;
                warned = false;
            } else if ((stamp & 1) != 0 && !warned && threshold > 0 && now - stampSeenAt >= threshold) {
                warned = true;
                warnBlocked(watched, stamp, now - stampSeenAt, threshold);
            }
            probeLag(watched, now);
            return threshold;
        }

        private void warnBlocked(Scheduler watched, long stamp, long blockedNanos, long threshold) {
            Thread thread = watched.owner();
            CallbackHandle handle = watched.runningHandle();
            StackTraceElement[] stack = thread == null ? null : thread.getStackTrace();
            if (handle == null || stack == null || watched.callbackStamp() != stamp) {
                return; // the callback returned (or the run ended) meanwhile: the stack would be another's
            }
            warnedHandle = handle;
            reportOffThread(() -> {
                // asyncio's debug-mode words ("Executing <Handle ...> took 2.500 seconds"), said while it still runs.
                String callback = String.valueOf(handle);
                String message = String.format(Locale.ROOT,
                        "Executing %s took %.3f seconds so far: %s is blocked (thread %s; blockedLoopWarning %.3f seconds)",
                        callback, LoopClock.toSeconds(blockedNanos), watched.loopName(), thread.getName(),
                        LoopClock.toSeconds(threshold));
                Throwable where = new Throwable("the stack of " + thread.getName());
                where.setStackTrace(stack);
                LOG.log(Level.WARNING, message, where);
                FlightEvents.blockedLoop(watched.loopName(), thread.getName(), callback, blockedNanos, threshold);
            });
        }

        // A loop that sleeps is not probed: nothing waits ahead of a callback there, and waking it
        // twice a second for nothing would cost it more than the figure is worth.
        private void probeLag(Scheduler watched, long now) {
            if (watched.state() != LoopState.RUNNING || probeSentAt != 0) {
                return;
            }
            if (watched.sleeping()) {
                lagNanos = 0;
                return;
            }
            probeSentAt = now;
            if (watched.offerOwn(new LagProbe(this, watched, now)) == null) {
                probeSentAt = 0;
            }
        }

        /** The lag last measured, or how long the probe on its way has waited if that is more; -1 before any. */
        long lagNanos() {
            long sent = probeSentAt;
            long measured = lagNanos;
            return sent == 0 ? measured : Math.max(measured, System.nanoTime() - sent);
        }

        void probeRan(LagProbe probe, boolean sameRun) {
            if (probe.sentAt != probeSentAt) {
                return; // sent before the loop last stopped: it measured the stop, not the queue
            }
            if (sameRun) {
                lagNanos = System.nanoTime() - probe.sentAt;
            }
            probeSentAt = 0;
        }

        /** The loop stopped: a probe still queued measures nothing (it runs in the next run, or never). */
        void runEnded() {
            probeSentAt = 0;
            lagNanos = -1;
        }
    }

    /** The lag probe's callback: how long from its scheduling to its run. */
    static final class LagProbe implements Scheduler.OwnCallback {

        private final Watch watch;
        private final Scheduler scheduler;
        final long sentAt;
        private final long run;

        LagProbe(Watch watch, Scheduler scheduler, long sentAt) {
            this.watch = watch;
            this.scheduler = scheduler;
            this.sentAt = sentAt;
            this.run = scheduler.runs();
        }

        @Override
        public void run() {
            watch.probeRan(this, scheduler.runs() == run);
        }

        @Override
        public String toString() {
            return "loop lag probe";
        }
    }
}
