package dev.loopkit.watcher.multiloop;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.RuntimeHook;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.RunningLoop;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.signals.ProcessSignals;
import dev.loopkit.signals.SignalNumbers;
import dev.loopkit.watcher.base.AbstractChildWatcher;
import dev.loopkit.watcher.base.Child;
import dev.loopkit.watcher.base.ChildTable;
import java.lang.System.Logger.Level;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * asyncio's {@code MultiLoopChildWatcher}: a process-wide SIGCHLD handler, installed on the first
 * {@link #attachLoop}, sweeps the registered children with {@code waitpid(pid, WNOHANG)} on every
 * signal (signals coalesce; O(n)) and delivers each exit to the loop that registered the child, with
 * {@code callSoonThreadsafe}.
 *
 * <p>CPython's version hangs when the loop runs in a worker thread while the main thread is blocked
 * (bpo-38323: its handler runs on the main thread and no wake-up fd reaches the worker's loop). Here
 * SIGCHLD is handled on a thread of its own (the signal pipe's {@code loopkit-signals}, or the JVM's
 * "Signal Dispatcher" where the pipe does not work), which never blocks on user code, and the delivery
 * wakes the target loop: no thread of the user's has to be free.
 *
 * <p>asyncio refuses {@code add_child_handler} outside a running loop. Here a child registered with
 * no running loop (a hand-over from another watcher registers children from the switching thread)
 * has its handler called on the signal thread; the loops' own handlers pass the exit on to their
 * loop with {@code callSoonThreadsafe}.
 */
@Component(service = ChildWatcher.class, immediate = true)
@ServiceRanking(MultiLoopChildWatcher.RANKING)
@LoopkitName(MultiLoopChildWatcher.NAME)
public class MultiLoopChildWatcher extends AbstractChildWatcher {

    public static final String NAME = "multiloop";
    public static final int RANKING = 30;

    private final ChildTable<Child> table = new ChildTable<>(getClass());
    private final Object lock = new Object();
    // Guarded by lock.
    private ProcessSignals.Registration sigchld;

    /** Installs the process-wide SIGCHLD handler the first time; the loop argument is ignored, as in asyncio. */
    @Override
    public void attachLoop(EventLoop loop) {
        table.reopen(); // attached again after a close, it works again, as asyncio's does
        synchronized (lock) {
            if (sigchld != null) {
                return;
            }
            sigchld = ProcessSignals.listen(SignalNumbers.SIGCHLD, this::sweep);
        }
        sweep(); // children that exited before the handler was there
    }

    // On the JVM's signal thread: a failure is logged, and the next SIGCHLD sweeps again.
    private void sweep() {
        try {
            table.waitpidAndDeliverAll();
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "Unknown exception in SIGCHLD handler", e);
        }
    }

    /** Another watcher took over: the process-wide SIGCHLD handler goes until {@link #attachLoop} comes again. */
    @Override
    public void detachLoop() {
        ProcessSignals.Registration registration;
        // before the lock: a log handler may wait for a thread that asks isActive()
        table.warnIfDetachedWithChildren();
        synchronized (lock) {
            registration = sigchld;
            sigchld = null;
        }
        if (registration != null) {
            registration.close();
        }
    }

    @Override
    public boolean isActive() {
        synchronized (lock) {
            return sigchld != null;
        }
    }

    @Override
    public String inactiveReason() {
        return isActive() ? null : "its SIGCHLD handler is not installed yet (attachLoop installs it)";
    }

    @Override
    public void addChildHandler(long pid, ChildHandler handler) {
        // A handed-over child's handler passes the exit on to its own loop, not the switching thread's
        table.put(new Child(pid, handler, RuntimeHook.get().handingOverInThisThread() ? null : RunningLoop.get()));
        table.waitpidAndDeliver(pid);
    }

    @Override
    public boolean removeChildHandler(long pid) {
        return table.remove(pid) != null;
    }

    @Override
    public Map<Long, ChildHandler> children() {
        return table.children();
    }

    /** Drops every child and gives SIGCHLD back to its previous handler (with a warning if outside code replaced ours). */
    @Override
    public void close() {
        table.close();
        detachLoop();
    }
}
