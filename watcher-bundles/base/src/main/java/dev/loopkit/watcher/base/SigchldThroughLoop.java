package dev.loopkit.watcher.base;

import dev.loopkit.api.EventLoop;
import dev.loopkit.signals.SignalNumbers;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * asyncio's {@code BaseChildWatcher}, owned by the safe and fast watchers: SIGCHLD arrives through
 * the attached loop's {@code addSignalHandler}, so exits are reaped on that loop's thread; attaching
 * sweeps at once for children that exited during the switch. Active only while the attached loop
 * runs.
 */
public final class SigchldThroughLoop {

    /**
     * Which sweep owns each loop's SIGCHLD handler. A loop has one handler per signal, so when a
     * hand-over attaches the new watcher to the loop the old one was attached to, the old one, being
     * detached, must not remove the handler that is the new one's now. Guarded by itself, for the
     * map's own structure only.
     */
    private static final Map<EventLoop, SigchldThroughLoop> OWNERS = new WeakHashMap<>();
    /**
     * One lock per loop, around its handler's change and the owner's: the loop's
     * {@code addSignalHandler} and {@code removeSignalHandler} (a third party's code, for a loop of
     * their own) run under that loop's lock only. Under one lock for the whole process, one that waited
     * for another thread attaching a watcher to another loop deadlocked (SigchldThroughLoopReentrancyTest).
     */
    private static final Map<EventLoop, Object> LOOP_LOCKS = new WeakHashMap<>();

    private final ChildTable<?> table;
    private final Runnable sweep;
    private final Logger log;
    private final Object lock = new Object();
    // Written under lock; read without it by the sweep and isActive.
    private volatile EventLoop loop;
    /** Whether the attached loop's SIGCHLD handler is this one's (OWNERS says so): read by isActive on every spawn. */
    private volatile boolean ownsHandler;

    /**
     * @param table the watcher's children, for asyncio's warning when detached while it holds some
     * @param sweep reaps whatever exited: called on SIGCHLD (signals coalesce, so it sweeps) and after attaching
     */
    public SigchldThroughLoop(ChildTable<?> table, Runnable sweep, Logger log) {
        this.table = table;
        this.sweep = sweep;
        this.log = log;
    }

    /** {@link dev.loopkit.api.ChildWatcher#attachLoop}: moves the SIGCHLD handler to {@code newLoop} ({@code null}: detaches). */
    public void attach(EventLoop newLoop) {
        EventLoop old;
        synchronized (lock) {
            old = loop;
            loop = newLoop;
        }
        if (old != null && newLoop == null) {
            // outside the lock: a log handler may wait for a thread that attaches this watcher
            table.warnIfDetachedWithChildren();
        }
        if (old != null && old != newLoop) {
            release(old);
        }
        if (newLoop != null) {
            table.reopen(); // attached again after a close, it works again, as asyncio's does
            synchronized (lockOf(newLoop)) {
                newLoop.addSignalHandler(SignalNumbers.SIGCHLD, this::sigchld);
                synchronized (OWNERS) {
                    SigchldThroughLoop previous = OWNERS.put(newLoop, this);
                    if (previous != null) {
                        previous.ownsHandler = false;
                    }
                    ownsHandler = true;
                }
            }
            // children that exited while no loop listened
            sweep.run();
        }
    }

    // Removes the loop's SIGCHLD handler if it is still ours.
    private void release(EventLoop old) {
        synchronized (lockOf(old)) {
            synchronized (OWNERS) {
                if (OWNERS.get(old) != this) {
                    return;
                }
                OWNERS.remove(old);
                ownsHandler = false;
            }
            if (!old.isClosed()) {
                old.removeSignalHandler(SignalNumbers.SIGCHLD);
            }
        }
    }

    private static Object lockOf(EventLoop loop) {
        synchronized (LOOP_LOCKS) {
            return LOOP_LOCKS.computeIfAbsent(loop, key -> new Object());
        }
    }

    /** The attached loop, or {@code null}. */
    public EventLoop loop() {
        return loop;
    }

    /**
     * Whether the attached loop runs and its SIGCHLD handler is still this one's: a second watcher
     * attached to the same loop takes the loop's one handler, and the first, deaf from then on, said it
     * was active (asyncio's does too), so spawns went through it and their exits never came.
     */
    public boolean isActive() {
        EventLoop attached = loop;
        return attached != null && attached.isRunning() && ownsHandler;
    }

    public String inactiveReason() {
        EventLoop attached = loop;
        if (attached == null) {
            return "it is attached to no loop (attach it to a running loop with attachLoop, as the main"
                    + " context's setEventLoop does)";
        }
        if (attached.isClosed()) {
            // before the handler's owner: attached to a closed loop, it never had the handler (an outside review)
            return "its loop " + attached + " is closed";
        }
        if (!ownsHandler) {
            return "another child watcher attached to its loop " + attached + " took the loop's SIGCHLD handler";
        }
        return attached.isRunning() ? null : "its loop " + attached + " is not running";
    }

    // asyncio's _sig_chld: runs on the loop thread; failures go to the loop's exception handler.
    private void sigchld() {
        try {
            sweep.run();
        } catch (RuntimeException e) {
            EventLoop attached = loop;
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("message", "Unknown exception in SIGCHLD handler");
            context.put("exception", e);
            if (attached != null) {
                attached.callExceptionHandler(context);
            } else {
                log.log(Level.ERROR, "Unknown exception in SIGCHLD handler", e);
            }
        }
    }
}
