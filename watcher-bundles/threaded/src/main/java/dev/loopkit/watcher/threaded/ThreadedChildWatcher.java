package dev.loopkit.watcher.threaded;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.RunningLoop;
import dev.loopkit.api.RuntimeHook;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.loop.core.Uninterruptibly;
import dev.loopkit.posix.PosixException;
import dev.loopkit.watcher.base.AbstractChildWatcher;
import dev.loopkit.watcher.base.Child;
import dev.loopkit.watcher.base.ChildTable;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Component;

/**
 * asyncio's {@code ThreadedChildWatcher}: one waiting thread per child ({@code loopkit-waitpid-N},
 * daemon, small stack), so it works for loops on any thread and needs no signal; each exit is
 * delivered to the loop that registered the child, through {@code callSoonThreadsafe}. Unlike asyncio's,
 * {@link #removeChildHandler} really removes: the thread waits for the exit <em>without reaping</em>
 * (a pidfd poll, or {@code waitid(WNOWAIT)}), and reaps only if the child is still its own, leaving it
 * otherwise to whoever holds it now. With pidfds, {@link #close()} also ends every waiting thread at
 * once; without them a thread ends when its child exits. Attached again after a close, it works again,
 * as asyncio's (whose close does nothing) and the other watchers do.
 *
 * <p>Unlike asyncio's, a thread whose child exited waits {@value #IDLE_SECONDS} s for the next child
 * before it ends: starting a thread costs the caller (the loop thread) 90 to 180 µs in HotSpot, which
 * waits until the new thread runs, against ~10 µs to hand a child to an idle one. There are still
 * never fewer waiting threads than live children.
 */
@Component(service = ChildWatcher.class, immediate = true)
@ServiceRanking(ThreadedChildWatcher.RANKING)
@LoopkitName(ThreadedChildWatcher.NAME)
public class ThreadedChildWatcher extends AbstractChildWatcher {

    public static final String NAME = "threaded";
    public static final int RANKING = 40;
    /** A waiting thread only polls and reaps: the JVM's minimum stack is plenty. */
    private static final long STACK_SIZE = 128 * 1024;
    /** How long a waiting thread whose child exited waits for the next child before it ends. */
    public static final int IDLE_SECONDS = 2;

    private final AtomicLong threadNumbers = new AtomicLong();
    // Each child with the loop its exit goes to (null: a hand-over's, whose handler passes it on).
    private final ChildTable<Child> table = new ChildTable<>(getClass());
    /** Guards what is the threaded watcher's own; taken before the table's. */
    private final Object lock = new Object();
    /** Guarded by lock: the waiting threads of this open period; a close ends them, and an attach after it starts others. */
    private Period period = new Period();

    /**
     * The waiting threads from an opening of the watcher to its close, and what they share. The
     * registry closes a watcher it switches away from (asyncio's set_child_watcher does) and attaches it
     * again when switched back to: the threads of the closed period may still be on their way out, polling
     * their own eventfd, while the next period's wait for new children.
     */
    private final class Period {
        /** The waiting threads not known to have ended: close() joins them. */
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        // No queue: a child goes to an idle thread or to a new one, never waits for a busy one.
        final ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), work -> newWaitingThread(work, threads));
        // Guarded by lock: the pids a thread of this period waits for.
        final Set<Long> waited = new HashSet<>();
        int closeFd = -1;
        boolean closed;
        /** Guarded by lock: close() could not wait for the waiting threads, and left the eventfd to the last of them. */
        boolean eventfdLeftToLastWaiter;

        // Under the lock. Only threads waiting for a child poll the wake-up eventfd: once none does, it is
        // closed (the next child makes another), so a watcher that lives on keeps no descriptor for the
        // children it had (ChaosSoakIT found anon_inode:[eventfd] +1 at its end).
        void stopWaiting(long pid) {
            waited.remove(pid);
            if (waited.isEmpty() && (!closed || eventfdLeftToLastWaiter)) {
                closeEventfd();
            }
        }

        // Under the lock.
        void closeEventfd() {
            if (closeFd >= 0) {
                closeQuietly(closeFd);
                closeFd = -1;
            }
        }

        // An eventfd that close() makes readable for good: every waiting thread wakes and ends. Made
        // under the lock that close() takes, so close() always sees the one the threads poll.
        int closeFd() throws PosixException {
            if (closeFd < 0) {
                closeFd = posix.eventfd();
            }
            return closeFd;
        }

        // After close(): the eventfd is closed by the last waiting thread to stop, or now if none waits.
        void leaveEventfdToLastWaiter() {
            synchronized (lock) {
                eventfdLeftToLastWaiter = true;
                if (waited.isEmpty()) {
                    closeEventfd();
                }
            }
        }
    }

    /**
     * Waits for {@code pid} on a thread and delivers its exit to the running loop, the one that
     * registers it (asyncio's {@code get_running_loop()}); if that loop has closed by then, asyncio's
     * warning "Loop ... that handles pid N is closed" and nothing is called.
     *
     * @throws IllegalStateException "no running event loop" outside a running loop, as asyncio's
     *         {@code RuntimeError}; only a hand-over from another watcher ({@link
     *         dev.loopkit.api.LoopkitRuntime#handingOverInThisThread}) registers children from outside, and their handlers pass the exit
     *         on to their loop themselves
     */
    @Override
    public void addChildHandler(long pid, ChildHandler handler) {
        // A handed-over child's handler passes the exit on to its own loop: the running loop is the one
        // of whoever switched watchers, and a switch from another loop's callback tied the child to it
        boolean handingOver = RuntimeHook.get().handingOverInThisThread();
        Child child = new Child(pid, handler, handingOver ? null : RunningLoop.get());
        if (child.loop() == null && !handingOver) {
            throw new IllegalStateException("no running event loop: the threaded child watcher delivers each exit to the"
                    + " loop that registers the child, so register children from a running loop");
        }
        Period open;
        synchronized (lock) {
            open = period;
            if (open.closed) {
                throw new IllegalStateException("the threaded child watcher is closed");
            }
            table.put(child);
            if (!open.waited.add(pid)) {
                return; // a replaced handler: the waiting thread delivers to the new one
            }
        }
        try {
            open.pool.execute(() -> waitFor(open, pid));
        } catch (RejectedExecutionException e) {
            // close() came in between: it dropped every handler, and leaves the child to its parent
            synchronized (lock) {
                open.stopWaiting(pid);
            }
        } catch (Throwable noThread) {
            // The thread could not start (OutOfMemoryError: unable to create native thread, at the host's
            // limit): nobody waits for the child. Kept, it stayed listed for good, and a later child given the
            // same pid was taken for a replaced handler with no thread for it, never reaped
            // (WaitingThreadThatCannotStartTest). The spawn that registers it kills and reaps it.
            synchronized (lock) {
                table.remove(child);
                open.stopWaiting(pid);
            }
            throw noThread;
        }
    }

    private Thread newWaitingThread(Runnable work, Set<Thread> threads) {
        Thread thread = new Thread(null, work, "loopkit-waitpid-" + threadNumbers.getAndIncrement(), STACK_SIZE);
        thread.setDaemon(true);
        // Pooled: it idles on past the spawn that started it. Not the spawning thread's context loader, a
        // plugin's, which it kept reachable after the plugin went (an outside review).
        thread.setContextClassLoader(ThreadedChildWatcher.class.getClassLoader());
        // Idle threads end and new ones come while the watcher lives: forget the ended ones (not
        // the ones not started yet, which are NEW, not TERMINATED).
        threads.removeIf(ended -> ended.getState() == Thread.State.TERMINATED);
        threads.add(thread);
        return thread;
    }

    private void waitFor(Period open, long pid) {
        boolean leftTheTable = false;
        try {
            if (!awaitExitWithoutReaping(open, pid)) {
                return; // closed
            }
            Child child;
            Integer returncode;
            // asyncio's warning for a pid someone else reaped, said once the lock is released: a log
            // handler is user code, and may wait for a thread that calls this watcher
            List<Runnable> warnLater = new ArrayList<>(0);
            synchronized (lock) {
                child = table.remove(pid);
                // Leaving the table with the same lock that finds no handler: a handler added again
                // after this point finds no waiter and hands the pid to another, never to one about to stop.
                open.stopWaiting(pid);
                leftTheTable = true;
                if (child == null) {
                    return; // removed: the child belongs to someone else now, and stays unreaped for them
                }
                returncode = table.waitpid(pid, false, warnLater);
            }
            warnLater.forEach(Runnable::run);
            table.deliver(child, returncode == null ? table.waitpid(pid, true) : returncode);
        } catch (RuntimeException e) {
            log.log(Level.ERROR, "waiting for child " + pid + " failed", e);
        } finally {
            if (!leftTheTable) {
                synchronized (lock) {
                    open.stopWaiting(pid);
                }
            }
        }
    }

    // True once the child exited (it is a zombie now, still unreaped); false when the watcher closed.
    private boolean awaitExitWithoutReaping(Period open, long pid) {
        if (posix.pidfdSupported()) {
            int wake;
            int pidfd;
            try {
                synchronized (lock) {
                    if (open.closed) {
                        return false;
                    }
                    wake = open.closeFd();
                }
                pidfd = posix.pidfdOpen(pid);
            } catch (PosixException e) {
                return true; // already reaped by someone: reap() reports 255
            }
            try {
                // pidfd_open takes any live process, also one that is not our child, whose exit we could
                // never reap: asyncio's waitpid raises ChildProcessError at once for it, and so does
                // this (then reap() reports 255); the pidfd used to be polled until that process ended.
                if (!isRunningChild(pid)) {
                    return true;
                }
                return posix.awaitReadable(new int[] {pidfd, wake}, -1) == 0;
            } catch (PosixException e) {
                throw new IllegalStateException("polling the pidfd of " + pid + " failed: " + e.getMessage(), e);
            } finally {
                closeQuietly(pidfd);
            }
        }
        try {
            posix.waitid(pid, false, true); // WNOWAIT: wait, but leave the child to reap
        } catch (PosixException e) {
            if (!"ECHILD".equals(e.errnoName())) {
                throw new IllegalStateException("waitid(" + pid + ") failed: " + e.getMessage(), e);
            }
        }
        synchronized (lock) {
            return !open.closed;
        }
    }

    // waitid(WNOHANG | WNOWAIT): false once the child exited (left to reap) or when it is no child of ours.
    private boolean isRunningChild(long pid) {
        try {
            return posix.waitid(pid, true, true) == null;
        } catch (PosixException e) {
            if ("ECHILD".equals(e.errnoName())) {
                return false;
            }
            throw new IllegalStateException("waitid(" + pid + ") failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean removeChildHandler(long pid) {
        return table.remove(pid) != null;
    }

    @Override
    public Map<Long, ChildHandler> children() {
        return table.children();
    }

    /**
     * asyncio's is a no-op: waiting threads serve loops on any thread. Here it also opens the watcher
     * again after a close, as the registry attaches a watcher switched back to: the close ended the
     * waiting threads, and every spawn was refused from then on, where asyncio's close() is a no-op
     * (an outside review; SwitchBackToAClosedWatcherTest).
     */
    @Override
    public void attachLoop(EventLoop loop) {
        synchronized (lock) {
            if (period.closed) {
                period = new Period(); // the closed one's threads end on their own, with their eventfd
            }
        }
    }

    @Override
    public boolean isActive() {
        synchronized (lock) {
            return !period.closed;
        }
    }

    @Override
    public String inactiveReason() {
        return isActive() ? null : "it is closed";
    }

    /** The threads waiting for a child (idle ones not counted): for diagnostics and tests. */
    public int waitingThreads() {
        synchronized (lock) {
            return period.waited.size();
        }
    }

    @Override
    public void close() {
        Period closing;
        int wake;
        List<Child> dropped;
        synchronized (lock) {
            closing = period;
            if (closing.closed) {
                return;
            }
            closing.closed = true;
            dropped = table.takeAll(); // with closed, under the lock: no waiting thread delivers after it
            wake = closing.closeFd;
        }
        // warned about outside the lock: a log handler may wait for a thread that calls this watcher
        table.warnClosedWith(dropped);
        if (wake >= 0) {
            try {
                posix.eventfdWrite(wake, 1);
            } catch (PosixException e) {
                log.log(Level.WARNING, "waking the waiting threads failed", e);
            }
        }
        closing.pool.shutdown(); // idle threads end now, waiting ones once woken (or, without pidfds, once their child exits)
        if (closing.threads.contains(Thread.currentThread())) {
            // A handler on one of this watcher's own threads (a handed-over child's) closes it: that
            // thread cannot end before this returns, so waiting for the pool always took the whole 5 s
            // (ChildrenNeverLostTest). The others end once woken.
            closing.leaveEventfdToLastWaiter();
            return;
        }
        if (!posix.pidfdSupported()) {
            synchronized (lock) {
                if (!closing.waited.isEmpty()) {
                    // Without pidfds a thread waiting in waitid(WNOWAIT) cannot be woken: it ends when its
                    // child exits. Waiting for it here held close() 5 s, and with it a watcher switch made
                    // from a loop callback (an outside review); asyncio's close() does not wait either.
                    return;
                }
            }
        }
        // Joined, not the pool awaited: a pool is terminated as its last worker leaves, a moment before
        // that thread ends (WatcherSpecificsTest.closingTheThreadedWatcherEndsItsIdleThreads). Through
        // interrupts: a host stops a plugin from an interrupted thread, and a wait cut short there returned
        // with the threads alive and closed the eventfd they poll under them (WatcherSpecificsTest).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean ended = true;
        for (Thread thread : closing.threads) {
            ended &= Uninterruptibly.join(thread, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        if (!ended) {
            closing.leaveEventfdToLastWaiter(); // a thread still polls it
            return;
        }
        synchronized (lock) {
            closing.closeEventfd();
        }
    }

    private void closeQuietly(int fd) {
        try {
            posix.close(fd);
        } catch (PosixException e) {
            log.log(Level.DEBUG, "closing fd " + fd, e);
        }
    }
}
