package dev.loopkit.watcher.multiloop;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.RunningLoop;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.signals.ProcessSignals;
import dev.loopkit.signals.SignalNumbers;
import dev.loopkit.watcher.base.AbstractChildWatcher;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * asyncio's {@code MultiLoopChildWatcher}: a process-wide SIGCHLD handler, installed on the first
 * {@link #attachLoop}, sweeps the registered children with {@code waitpid(pid, WNOHANG)} on every
 * signal (signals coalesce; O(n)) and delivers each exit to the loop that registered the child, with
 * {@code callSoonThreadsafe}.
 *
 * <p>CPython's version hangs when the loop runs in a worker thread while the main thread is blocked
 * (bpo-38323: its handler runs on the main thread and no wake-up fd reaches the worker's loop). Here
 * the JVM runs signal handlers on its own "Signal Dispatcher" thread, which never blocks on user
 * code, and the delivery wakes the target loop: no thread of the user's has to be free.
 *
 * <p>asyncio refuses {@code add_child_handler} outside a running loop. Here a child registered with
 * no running loop (a hand-over from another watcher registers children from the switching thread)
 * has its handler called on the signal thread; the loops' own handlers pass the exit on to their
 * loop with {@code callSoonThreadsafe}.
 */
@Component(service = ChildWatcher.class)
@ServiceRanking(MultiLoopChildWatcher.RANKING)
@LoopkitName(MultiLoopChildWatcher.NAME)
public class MultiLoopChildWatcher extends AbstractChildWatcher {

    public static final String NAME = "multiloop";
    public static final int RANKING = 30;

    // Guarded by lock: the loop each child's exit goes to (null: call the handler where it is reaped).
    private final Map<Long, EventLoop> loops = new HashMap<>();
    private ProcessSignals.Registration sigchld;

    /** Installs the process-wide SIGCHLD handler the first time; the loop argument is ignored, as in asyncio. */
    @Override
    public void attachLoop(EventLoop loop) {
        synchronized (lock) {
            if (sigchld != null) {
                return;
            }
            sigchld = ProcessSignals.listen(SignalNumbers.SIGCHLD, this::sweep);
        }
        sweep(); // children that exited before the handler was there
    }

    /** Another watcher took over: the process-wide SIGCHLD handler goes until {@link #attachLoop} comes again. */
    @Override
    public void detachLoop() {
        ProcessSignals.Registration registration;
        synchronized (lock) {
            if (!handlers.isEmpty()) {
                log.log(Level.WARNING, "A loop is being detached from a child watcher with pending handlers");
            }
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
        checkPid(pid);
        checkHandler(handler);
        EventLoop loop = RunningLoop.get();
        synchronized (lock) {
            handlers.put(pid, handler);
            loops.put(pid, loop);
        }
        doWaitpid(pid);
    }

    @Override
    public boolean removeChildHandler(long pid) {
        synchronized (lock) {
            loops.remove(pid);
            return handlers.remove(pid) != null;
        }
    }

    // On the JVM's signal thread.
    private void sweep() {
        List<Long> pids;
        synchronized (lock) {
            pids = new ArrayList<>(handlers.keySet());
        }
        for (long pid : pids) {
            try {
                doWaitpid(pid);
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "Unknown exception in SIGCHLD handler", e);
            }
        }
    }

    private void doWaitpid(long pid) {
        ChildHandler handler;
        EventLoop loop;
        Integer returncode;
        synchronized (lock) {
            if (!handlers.containsKey(pid)) {
                return;
            }
            returncode = reap(pid, false);
            if (returncode == null) {
                return;
            }
            handler = handlers.remove(pid);
            loop = loops.remove(pid);
        }
        deliverThrough(loop, pid, handler, returncode);
    }

    /** Drops every child and gives SIGCHLD back to its previous handler (with a warning if outside code replaced ours). */
    @Override
    public void close() {
        warnIfClosingWithChildren();
        synchronized (lock) {
            handlers.clear();
            loops.clear();
        }
        detachLoop();
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
