package dev.loopkit.loop.core;

import java.lang.System.Logger.Level;
import java.lang.ref.WeakReference;

/**
 * A loop's helper thread that waits in a set of its own (an epoll set, a selector) and hands what it
 * sees to its owner on the loop's side ({@link FdPoller}, {@link ChannelPoller}, the epoll loop's JDK channels). It holds that owner,
 * and so the loop, only weakly: a loop its user dropped without closing it becomes garbage, and its
 * close-if-dropped calls {@link #stopDropped()}, after which the helper closes its set itself on its way
 * out, as nobody else will and no wait is left to free it under. Holding the owner, the helper kept a
 * dropped loop, the thread and the set's descriptors for good (DroppedLoopRetentionContract).
 *
 * @param <O> the owner, which the subclass must reach only through {@link #owner()}
 */
public abstract class HelperThread<O> {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    final Thread thread;
    private final WeakReference<O> owner;
    private final String lostWhat;
    private volatile boolean closing;
    private volatile boolean dropped;

    /** The helper's thread, started by its owner ({@link #start()}). */
    public final Thread thread() {
        return thread;
    }

    /**
     * Starts the thread. When it cannot start (the host's thread limit: OutOfMemoryError), the set it
     * was to wait in is closed before the failure goes on: its owner opened it first, and left it open
     * for good, an epoll set and an eventfd per attempt (HelperThreadThatCannotStartTest). The owner
     * registers its close-if-dropped only once this returned, so that nothing wakes a closed set.
     */
    public final void start() {
        try {
            thread.start();
        } catch (Throwable noThread) {
            try {
                closeSet();
            } catch (Exception e) {
                noThread.addSuppressed(e);
            }
            throw noThread;
        }
    }

    /** @param lostWhat what is no longer watched if a wait fails, for the log */
    protected HelperThread(O owner, String name, String lostWhat) {
        this.owner = new WeakReference<>(owner);
        this.lostWhat = lostWhat;
        thread = new Thread(this::waitUntilStopped, name);
        thread.setDaemon(true);
    }

    /** One wait, each event handed to {@link #owner()} if it is still there. */
    protected abstract void awaitOnce() throws Exception;

    /** Makes a wait in progress, or the next one, return. Any thread. */
    protected abstract void wake();

    /** Closes the set: the loop was dropped, and the helper is its last user. */
    protected abstract void closeSet() throws Exception;

    /** The owner, or {@code null} once its loop is garbage. */
    protected final O owner() {
        return owner.get();
    }

    private void waitUntilStopped() {
        try {
            while (!closing && !dropped) {
                awaitOnce();
            }
        } catch (IllegalStateException loopClosed) {
            // the loop closed while a readiness was on its way: nothing left to tell
        } catch (Exception e) {
            if (!closing && !dropped) {
                LOG.log(Level.ERROR, "waiting failed in " + thread.getName() + "; " + lostWhat + " no longer watched", e);
            }
        } finally {
            if (dropped) {
                try {
                    closeSet();
                } catch (Exception e) {
                    LOG.log(Level.DEBUG, "closing what " + thread.getName() + " waited in", e);
                }
            }
        }
    }

    /** The loop closes (its thread): the helper ends; the caller joins it, then closes the set. */
    public final void stopClosing() {
        closing = true;
        wake();
    }

    /** The loop became garbage unclosed (any thread): the helper ends and closes the set. */
    public final void stopDropped() {
        dropped = true;
        wake();
    }
}
