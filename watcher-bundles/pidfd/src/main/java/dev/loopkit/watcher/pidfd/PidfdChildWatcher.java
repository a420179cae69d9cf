package dev.loopkit.watcher.pidfd;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.RunningLoop;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.WaitStatus;
import dev.loopkit.watcher.base.AbstractChildWatcher;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * asyncio's {@code PidfdChildWatcher} (3.12): each child gets a pidfd, watched as a reader by the
 * loop that registered it (the running loop, else the attached one); when it becomes readable the
 * child has exited and is reaped with {@code waitid(P_PIDFD)}, on that loop's thread. O(1) per
 * exit, no signal, no thread of its own, and it never touches another's child. Every pidfd is
 * closed on every path (CPython leaked it when {@code waitpid} failed, cpython#151179).
 *
 * <p>Needs Linux 5.3+ with {@code pidfd_open} allowed (containers may forbid it): the constructor
 * probes and refuses otherwise; in OSGi the component is enabled only where the probe succeeds.
 */
@Component(service = ChildWatcher.class, enabled = false)
@ServiceRanking(PidfdChildWatcher.RANKING)
@LoopkitName(PidfdChildWatcher.NAME)
public class PidfdChildWatcher extends AbstractChildWatcher {

    public static final String NAME = "pidfd";
    public static final int RANKING = 50;

    /** One watched child. */
    private final class Watch {
        final long pid;
        final int pidfd;
        final ChildHandler handler;
        final EventLoop loop;
        /** Closed once: a second close could hit a descriptor number the kernel gave to someone else since. */
        private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

        Watch(long pid, int pidfd, ChildHandler handler, EventLoop loop) {
            this.pid = pid;
            this.pidfd = pidfd;
            this.handler = handler;
            this.loop = loop;
        }

        // Loop thread: the pidfd is readable, the child exited (or a readiness meant for a descriptor
        // that had this number before: then the child is still running, and is watched on).
        void exited() {
            int returncode;
            // Reaping and leaving the table under the lock: a hand-over either took the child before
            // (then it is not ours to reap) or finds it gone after.
            synchronized (lock) {
                if (watches.get(pid) != this) {
                    loop.removeReader(pidfd);
                    closeOnce();
                    return; // removed or replaced meanwhile
                }
                try {
                    WaitStatus status = posix.waitidPidfd(pidfd, true, false);
                    if (status == null) {
                        return; // not exited: a spurious readiness, the reader stays
                    }
                    returncode = status.returncode();
                } catch (PosixException e) {
                    log.log(Level.WARNING, "child process pid {0} exit status already read:  will report returncode 255",
                            Long.toString(pid));
                    returncode = UNKNOWN_RETURNCODE;
                }
                watches.remove(pid);
                handlers.remove(pid);
            }
            loop.removeReader(pidfd);
            closeOnce();
            deliver(pid, handler, returncode);
        }

        void closeOnce() {
            if (open.compareAndSet(true, false)) {
                closePidfd(pidfd);
            }
        }

        void cancel() {
            onLoop(loop, () -> {
                if (!loop.isClosed() && open.get()) {
                    loop.removeReader(pidfd);
                }
                closeOnce();
            });
        }
    }

    // Guarded by lock.
    private final Map<Long, Watch> watches = new HashMap<>();
    private volatile EventLoop attached;

    /** @throws UnsupportedOperationException where the kernel has no pidfds, saying why */
    public PidfdChildWatcher() {
        if (!posix.pidfdSupported()) {
            throw new UnsupportedOperationException("the pidfd child watcher needs pidfd_open: "
                    + posix.pidfdUnsupportedReason());
        }
    }

    @Override
    public void addChildHandler(long pid, ChildHandler handler) {
        checkPid(pid);
        checkHandler(handler);
        EventLoop loop = RunningLoop.get() != null ? RunningLoop.get() : attached;
        if (loop == null) {
            throw new IllegalStateException("the pidfd child watcher needs a loop: register children from a"
                    + " running loop, or attach one with attachLoop");
        }
        int pidfd;
        try {
            pidfd = posix.pidfdOpen(pid);
        } catch (PosixException e) {
            if (!"ESRCH".equals(e.errnoName())) {
                throw new IllegalStateException("pidfd_open(" + pid + ") failed: " + e.getMessage(), e);
            }
            log.log(Level.WARNING, "child process pid {0} exit status already read:  will report returncode 255",
                    Long.toString(pid));
            deliver(pid, handler, UNKNOWN_RETURNCODE);
            return;
        }
        Watch watch = new Watch(pid, pidfd, handler, loop);
        Watch replaced;
        synchronized (lock) {
            replaced = watches.put(pid, watch);
            handlers.put(pid, handler);
        }
        if (replaced != null) {
            replaced.cancel();
        }
        onLoop(loop, () -> loop.addReader(pidfd, watch::exited));
    }

    @Override
    public boolean removeChildHandler(long pid) {
        Watch removed;
        synchronized (lock) {
            removed = watches.remove(pid);
            handlers.remove(pid);
        }
        if (removed == null) {
            return false;
        }
        removed.cancel();
        return true;
    }

    /** The loop used for children registered outside a running loop. */
    @Override
    public void attachLoop(EventLoop loop) {
        attached = loop;
    }

    @Override
    public boolean isActive() {
        return true;
    }

    @Override
    public void close() {
        warnIfClosingWithChildren();
        Map<Long, Watch> all;
        synchronized (lock) {
            all = new HashMap<>(watches);
            watches.clear();
            handlers.clear();
        }
        all.values().forEach(Watch::cancel);
        attached = null;
    }

    /** Readers belong to their loop's thread: run there, now if this is it. */
    private static void onLoop(EventLoop loop, Runnable action) {
        if (RunningLoop.get() == loop || !loop.isRunning()) {
            action.run();
        } else {
            try {
                loop.callSoonThreadsafe(action);
            } catch (IllegalStateException closed) {
                action.run(); // a closed loop has released its readers: only the pidfd is left to close
            }
        }
    }

    private void closePidfd(int pidfd) {
        try {
            posix.close(pidfd);
        } catch (PosixException e) {
            log.log(Level.DEBUG, "closing pidfd " + pidfd, e);
        }
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
