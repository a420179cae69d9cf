package dev.loopkit.watcher.base;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.WaitStatus;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What every Loopkit child watcher shares: the table of children and their handlers, guarded by
 * {@link #lock} (held briefly, never while a handler runs), argument checks, and asyncio's rule for
 * a child someone else reaped: return code 255 and a warning.
 */
public abstract class AbstractChildWatcher implements ChildWatcher {

    /** asyncio's return code for a child whose status another waiter took. */
    public static final int UNKNOWN_RETURNCODE = 255;

    protected final System.Logger log;
    protected final Posix posix;
    /** asyncio's {@code _lock}: guards {@link #handlers} and each subclass's own tables. */
    protected final Object lock = new Object();
    protected final Map<Long, ChildHandler> handlers = new HashMap<>();

    protected AbstractChildWatcher() {
        this.log = System.getLogger(getClass().getName());
        this.posix = Posix.get();
    }

    /** @throws IllegalArgumentException for a pid that cannot be a child's */
    protected static long checkPid(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be a positive process id, not " + pid);
        }
        return pid;
    }

    protected static ChildHandler checkHandler(ChildHandler handler) {
        return Objects.requireNonNull(handler, "handler");
    }

    @Override
    public Map<Long, ChildHandler> children() {
        synchronized (lock) {
            return Map.copyOf(handlers);
        }
    }

    @Override
    public boolean removeChildHandler(long pid) {
        synchronized (lock) {
            return handlers.remove(pid) != null;
        }
    }

    /**
     * {@code waitpid(pid, WNOHANG)} (or blocking): the child's return code, {@code null} while it
     * runs, or 255 with asyncio's warning when someone else already reaped it.
     */
    protected Integer reap(long pid, boolean block) {
        try {
            WaitStatus status = posix.waitpid(pid, !block);
            return status == null ? null : status.returncode();
        } catch (PosixException e) {
            if (!"ECHILD".equals(e.errnoName())) {
                throw new IllegalStateException("waitpid(" + pid + ") failed: " + e.getMessage(), e);
            }
            log.log(Level.WARNING, "Unknown child process pid {0}, will report returncode 255", Long.toString(pid));
            return UNKNOWN_RETURNCODE;
        }
    }

    /**
     * Called first by {@link #close()}: asyncio's warning for a watcher that still has "registered but
     * not finished child processes". Their exits will not be delivered; children change watchers by
     * a hand-over ({@link #handOverChildren}), never by closing.
     */
    protected final void warnIfClosingWithChildren() {
        Set<Long> pending = new TreeSet<>(children().keySet());
        if (!pending.isEmpty()) {
            log.log(Level.WARNING, "{0} closed with registered but not finished child processes, pids {1}: their exits"
                    + " will not be delivered", getClass().getSimpleName(), pending);
        }
    }

    /** Calls the handler; its failure is logged, never thrown into the watcher's machinery. */
    protected void deliver(long pid, ChildHandler handler, int returncode) {
        try {
            handler.childExited(pid, returncode);
        } catch (RuntimeException e) {
            log.log(Level.ERROR, "the handler of child " + pid + " (returncode " + returncode + ") failed", e);
        }
    }

    /**
     * asyncio's {@code ThreadedChildWatcher} and {@code MultiLoopChildWatcher} delivery: the handler
     * runs on {@code loop}, the loop that registered the child, through {@code callSoonThreadsafe};
     * when that loop has closed, asyncio's warning and nothing is called. With no loop (a child
     * handed over from another watcher, outside any loop) the handler runs here, and passes the
     * exit on to its loop itself.
     */
    protected void deliverThrough(EventLoop loop, long pid, ChildHandler handler, int returncode) {
        if (loop == null) {
            deliver(pid, handler, returncode);
            return;
        }
        try {
            loop.callSoonThreadsafe(() -> deliver(pid, handler, returncode));
        } catch (IllegalStateException closed) {
            log.log(Level.WARNING, "Loop {0} that handles pid {1} is closed", loop, Long.toString(pid));
        }
    }

    @Override
    public String toString() {
        return "<" + getClass().getSimpleName() + " children=" + children().keySet() + ">";
    }
}
