package dev.loopkit.watcher.base;

import dev.loopkit.api.EventLoop;
import dev.loopkit.signals.SignalNumbers;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * asyncio's {@code BaseChildWatcher}, shared by the safe and fast watchers: SIGCHLD arrives through
 * the attached loop's {@code addSignalHandler}, so exits are reaped on that loop's thread; attaching
 * sweeps at once for children that exited during the switch. Active only while the attached loop
 * runs.
 */
public abstract class SigchldChildWatcher extends AbstractChildWatcher {

    protected static final int SIGCHLD = SignalNumbers.SIGCHLD;

    /**
     * Which watcher owns each loop's SIGCHLD handler. A loop has one handler per signal, so when a
     * hand-over attaches the new watcher to the loop the old one was attached to, the old one, being
     * detached, must not remove the handler that is the new one's now.
     */
    private static final Map<EventLoop, SigchldChildWatcher> OWNERS = new WeakHashMap<>();

    private volatile EventLoop loop;

    /** Reaps whatever exited: called on SIGCHLD (signals coalesce, so it sweeps) and after attaching. */
    protected abstract void doWaitpidAll();

    @Override
    public void attachLoop(EventLoop newLoop) {
        EventLoop old;
        synchronized (lock) {
            old = loop;
            if (old != null && newLoop == null && !handlers.isEmpty()) {
                log.log(Level.WARNING, "A loop is being detached from a child watcher with pending handlers");
            }
            loop = newLoop;
        }
        if (old != null && old != newLoop) {
            release(old);
        }
        if (newLoop != null) {
            synchronized (OWNERS) {
                newLoop.addSignalHandler(SIGCHLD, this::sigchld);
                OWNERS.put(newLoop, this);
            }
            // children that exited while no loop listened
            doWaitpidAll();
        }
    }

    // Removes the loop's SIGCHLD handler if it is still ours.
    private void release(EventLoop old) {
        synchronized (OWNERS) {
            if (OWNERS.get(old) != this) {
                return;
            }
            OWNERS.remove(old);
            if (!old.isClosed()) {
                old.removeSignalHandler(SIGCHLD);
            }
        }
    }

    /** The attached loop, or {@code null}. */
    protected final EventLoop loop() {
        return loop;
    }

    @Override
    public boolean isActive() {
        EventLoop attached = loop;
        return attached != null && attached.isRunning();
    }

    @Override
    public String inactiveReason() {
        EventLoop attached = loop;
        if (attached == null) {
            return "it is attached to no loop (attach it to a running loop with attachLoop, as the main"
                    + " context's setEventLoop does)";
        }
        return attached.isRunning() ? null : "its loop " + attached + " is not running";
    }

    @Override
    public void close() {
        attachLoop(null);
    }

    // asyncio's _sig_chld: runs on the loop thread; failures go to the loop's exception handler.
    private void sigchld() {
        try {
            doWaitpidAll();
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
