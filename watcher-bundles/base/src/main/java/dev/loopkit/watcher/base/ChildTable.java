package dev.loopkit.watcher.base;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.RunningLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.WaitStatus;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A watcher's children, pid to {@link Child}, guarded by a lock of the table's own: held briefly, for
 * the table and for a reap ({@link #reap}: the exit taken and the child removed together, so that a
 * hand-over or a second sweep never gets a child already reaped), and never while a handler or a log
 * handler runs: deliveries and warnings happen after it is released, so either may call back into the
 * watcher, from any thread. asyncio's {@code _callbacks} with its {@code _lock}, and asyncio's
 * warnings, in the watcher's logger.
 *
 * @param <C> what the watcher records per child
 */
public final class ChildTable<C extends Child> {

    /** asyncio's return code for a child whose status another waiter took. */
    public static final int UNKNOWN_RETURNCODE = 255;

    /** What the table and one reap found: the child taken out, and its return code. */
    public record Reaped<C>(C child, int returncode) {
    }

    /**
     * Takes a child's exit under the table's lock: its return code, or {@code null} while it runs. A
     * warning goes to {@code warnLater}, which the table runs once its lock is released: a log handler
     * is user code, and may wait for a thread that calls the watcher.
     */
    @FunctionalInterface
    public interface Reaper<C> {
        Integer reap(C child, List<Runnable> warnLater);
    }

    private final System.Logger log;
    private final String watcherName;
    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<Long, C> children = new HashMap<>();
    /** Guarded by lock: {@link #close()} was called, and the table takes no child until {@link #reopen()}. */
    private boolean closed;

    /** A table whose warnings go to {@code watcher}'s logger and name it, as asyncio's name the class. */
    public ChildTable(Class<? extends ChildWatcher> watcher) {
        this.log = System.getLogger(watcher.getName());
        this.watcherName = nameOf(watcher);
    }

    /** A watcher class's simple name; an anonymous subclass's (a user's, or a test's) is that of the class it extends. */
    static String nameOf(Class<?> watcher) {
        Class<?> named = watcher;
        while (named.getSimpleName().isEmpty() && named.getSuperclass() != null) {
            named = named.getSuperclass();
        }
        return named.getSimpleName();
    }

    /**
     * Registers {@code child}, replacing the one with its pid, which is returned (or {@code null}).
     *
     * @throws IllegalStateException once the table is closed, until it is reopened: a closed watcher,
     *     detached, would never deliver the child's exit (a spawn that met a watcher closed under it left
     *     a zombie nobody named), and refused, the child stays where it can be reaped
     */
    public C put(C child) {
        synchronized (lock) {
            checkOpen();
            return children.put(child.pid(), child);
        }
    }

    /** @throws IllegalStateException once the table is closed, as {@link #put} then does */
    public void checkOpen() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException(watcherName + " is closed: it takes no more children");
            }
        }
    }

    /**
     * Takes children again: the watcher is attached again after its close, and works as asyncio's
     * does then ({@code close()} only dropped its children and detached it). Closed and attached
     * again, it said it was active and refused every child (a second review).
     */
    public void reopen() {
        synchronized (lock) {
            closed = false;
        }
    }

    /** Whether {@link #close()} was called, and not {@link #reopen()} since. */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Takes {@code pid}'s child out; {@code null} if the table has none. */
    public C remove(long pid) {
        synchronized (lock) {
            return children.remove(pid);
        }
    }

    /** Takes {@code child} itself out (not another registered for its pid since); whether it was there. */
    public boolean remove(C child) {
        synchronized (lock) {
            return children.remove(child.pid(), child);
        }
    }

    /** Whether {@code child} itself (not only its pid) is registered. */
    public boolean holds(C child) {
        synchronized (lock) {
            return children.get(child.pid()) == child;
        }
    }

    public boolean isEmpty() {
        synchronized (lock) {
            return children.isEmpty();
        }
    }

    /** {@link ChildWatcher#children()}: a snapshot, pid to handler. */
    public Map<Long, ChildHandler> children() {
        Map<Long, ChildHandler> snapshot = new HashMap<>();
        synchronized (lock) {
            children.forEach((pid, child) -> snapshot.put(pid, child.handler()));
        }
        return Map.copyOf(snapshot);
    }

    /** Takes every child out, in pid order: for a hand-over, which registers them with the successor. */
    public List<C> takeAll() {
        Map<Long, C> taken;
        synchronized (lock) {
            taken = new TreeMap<>(children);
            children.clear();
        }
        return new ArrayList<>(taken.values());
    }

    /**
     * When the watcher closes: takes every child out, with asyncio's warning about "registered but not
     * finished child processes" naming their pids. Their exits will not be delivered; children change
     * watchers by a hand-over, never by closing.
     */
    public List<C> close() {
        synchronized (lock) {
            closed = true;
        }
        List<C> dropped = takeAll();
        warnClosedWith(dropped);
        return dropped;
    }

    /**
     * {@link #close()}'s warning about {@code dropped}, for a watcher that takes its children out
     * with {@link #takeAll()} under a lock of its own and warns once it released it.
     */
    public void warnClosedWith(List<C> dropped) {
        if (!dropped.isEmpty()) {
            List<Long> pids = dropped.stream().map(Child::pid).toList();
            OutsideSpawnGate.run(() -> log.log(Level.WARNING, "{0} closed with registered but not finished child"
                    + " processes, pids {1}: their exits will not be delivered", watcherName, pids));
        }
    }

    /** asyncio's warning when a loop is detached, or the watcher stops listening, while it holds children. */
    public void warnIfDetachedWithChildren() {
        if (!isEmpty()) {
            OutsideSpawnGate.run(() -> log.log(Level.WARNING, "A loop is being detached from a child watcher with"
                    + " pending handlers"));
        }
    }

    /**
     * Under the table's lock: if {@code pid} is registered, {@code reaper} tries to take its exit (a
     * return code, or {@code null} while it runs); once taken, the child leaves the table with it.
     *
     * @return the child and its return code, or {@code null}: not registered, or still running
     */
    public Reaped<C> reap(long pid, Reaper<? super C> reaper) {
        List<Runnable> warnLater = new ArrayList<>(0);
        Reaped<C> reaped;
        synchronized (lock) {
            C child = children.get(pid);
            reaped = child == null ? null : reapHeld(child, reaper, warnLater);
        }
        warnLater.forEach(Runnable::run);
        return reaped;
    }

    /** As {@link #reap(long, Reaper)}, for a reaper that warns about nothing. */
    public Reaped<C> reap(long pid, Function<? super C, Integer> reaper) {
        return reap(pid, (child, warnLater) -> reaper.apply(child));
    }

    /** As {@link #reap(long, Reaper)}, only while {@code child} itself is registered (not removed or replaced). */
    public Reaped<C> reap(C child, Reaper<? super C> reaper) {
        List<Runnable> warnLater = new ArrayList<>(0);
        Reaped<C> reaped;
        synchronized (lock) {
            reaped = children.get(child.pid()) == child ? reapHeld(child, reaper, warnLater) : null;
        }
        warnLater.forEach(Runnable::run);
        return reaped;
    }

    /** As {@link #reap(Child, Reaper)}, for a reaper that warns about nothing. */
    public Reaped<C> reap(C child, Function<? super C, Integer> reaper) {
        return reap(child, (c, warnLater) -> reaper.apply(c));
    }

    private Reaped<C> reapHeld(C child, Reaper<? super C> reaper, List<Runnable> warnLater) {
        Integer returncode = reaper.reap(child, warnLater);
        if (returncode == null) {
            return null;
        }
        children.remove(child.pid());
        return new Reaped<>(child, returncode);
    }

    /**
     * asyncio's {@code _do_waitpid} for one child: {@code waitpid(pid, WNOHANG)} under the table's lock
     * and, if it exited, the exit delivered outside it.
     */
    public void waitpidAndDeliver(long pid) {
        Reaped<C> reaped = reap(pid, (child, warnLater) -> waitpid(child.pid(), false, warnLater));
        if (reaped != null) {
            deliver(reaped.child(), reaped.returncode());
        }
    }

    /**
     * {@link #waitpidAndDeliver} for every registered child: a SIGCHLD says only that some child
     * changed (signals coalesce). A failure does not stop the sweep; the first is thrown at its end.
     */
    public void waitpidAndDeliverAll() {
        List<Long> pids;
        synchronized (lock) {
            pids = new ArrayList<>(children.keySet());
        }
        RuntimeException failure = null;
        for (long pid : pids) {
            try {
                waitpidAndDeliver(pid);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * {@code waitpid(pid, WNOHANG)} (or blocking): the child's return code, {@code null} while it
     * runs, or 255 with asyncio's warning when someone else already reaped it.
     */
    public Integer waitpid(long pid, boolean block) {
        List<Runnable> warnLater = new ArrayList<>(0);
        Integer returncode = waitpid(pid, block, warnLater);
        warnLater.forEach(Runnable::run);
        return returncode;
    }

    /**
     * As {@link #waitpid(long, boolean)}, for a caller under a lock: asyncio's warning goes to
     * {@code warnLater}, for the caller to run once it released the lock.
     */
    public Integer waitpid(long pid, boolean block, List<Runnable> warnLater) {
        try {
            WaitStatus status = Posix.get().waitpid(pid, !block);
            return status == null ? null : status.returncode();
        } catch (PosixException e) {
            if (!"ECHILD".equals(e.errnoName())) {
                throw new IllegalStateException("waitpid(" + pid + ") failed: " + e.getMessage(), e);
            }
            warnLater.add(() -> OutsideSpawnGate.run(() -> log.log(Level.WARNING,
                    "Unknown child process pid {0}, will report returncode 255", Long.toString(pid))));
            return UNKNOWN_RETURNCODE;
        }
    }

    /**
     * Delivers an exit, never under the table's lock: to the child's loop through
     * {@code callSoonThreadsafe} (asyncio's {@code ThreadedChildWatcher} and
     * {@code MultiLoopChildWatcher}), with asyncio's warning and nothing called when that loop has
     * closed; with no loop, the handler is called here. A handler's failure is logged, never thrown
     * into the watcher's machinery.
     */
    public void deliver(Child child, int returncode) {
        EventLoop loop = child.loop();
        if (loop == null) {
            OutsideSpawnGate.run(() -> callHandler(child, returncode));
            return;
        }
        try {
            loop.callSoonThreadsafe(new HandlerCall(child.handler(), child.pid(), returncode));
        } catch (IllegalStateException closed) {
            warnLoopClosed(loop, child.pid());
        }
    }

    /** asyncio's warning for an exit whose loop closed: "Loop ... that handles pid N is closed". */
    public void warnLoopClosed(EventLoop loop, long pid) {
        OutsideSpawnGate.run(() -> log.log(Level.WARNING, "Loop {0} that handles pid {1} is closed", loop,
                Long.toString(pid)));
    }

    /**
     * A child's exit on its loop, as asyncio's {@code call_soon_threadsafe(callback, pid, returncode)}: a
     * loop callback, so what the handler throws is the loop's to report ("Exception in callback ...", to
     * its exception handler), as asyncio's is. Caught here and only logged, a program collecting failures
     * through its exception handler missed them (the policy review).
     */
    private record HandlerCall(ChildHandler handler, long pid, int returncode) implements Runnable {
        @Override
        public void run() {
            handler.childExited(pid, returncode);
        }

        @Override
        public String toString() {
            return handler + "(" + pid + ", " + returncode + ")";
        }
    }

    // Called where the exit is reaped: inside a SIGCHLD sweep or a pidfd's reader on a loop, whose
    // exception handler hears what it throws (asyncio's _sig_chld and _do_wait do), or on a thread of the
    // watcher's own, where it is logged.
    private void callHandler(Child child, int returncode) {
        HandlerCall call = new HandlerCall(child.handler(), child.pid(), returncode);
        try {
            call.run();
        } catch (Throwable e) {
            // The loop's rule for user code: all but a VirtualMachineError other than StackOverflowError is
            // reported. An Error (a failed assertion) let through here left the sweep of a SIGCHLD, and the
            // other children that signal stood for waited for one that might never come.
            if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
                throw fatal;
            }
            EventLoop running = RunningLoop.get();
            if (running == null) {
                log.log(Level.ERROR, "the handler of child " + child.pid() + " (returncode " + returncode + ") failed", e);
                return;
            }
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("message", "Exception in callback " + call);
            context.put("exception", e);
            running.callExceptionHandler(context);
        }
    }
}
