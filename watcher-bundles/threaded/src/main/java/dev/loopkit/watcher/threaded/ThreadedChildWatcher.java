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
 * once; without them a thread ends when its child exits.
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
    /** The waiting threads not known to have ended: close() joins them. */
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    // No queue: a child goes to an idle thread or to a new one, never waits for a busy one.
    private final ThreadPoolExecutor waiters = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS,
            new SynchronousQueue<>(), this::newWaitingThread);
    // Each child with the loop its exit goes to (null: a hand-over's, whose handler passes it on).
    private final ChildTable<Child> table = new ChildTable<>(getClass());
    /** Guards what is the threaded watcher's own; taken before the table's. */
    private final Object lock = new Object();
    // Guarded by lock: the pids a thread waits for.
    private final Set<Long> waited = new HashSet<>();
    private int closeFd = -1;
    private boolean closed;
    /** Guarded by lock: close() could not wait for the waiting threads, and left the eventfd to the last of them. */
    private boolean eventfdLeftToLastWaiter;

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
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the threaded child watcher is closed");
            }
            table.put(child);
            if (!waited.add(pid)) {
                return; // a replaced handler: the waiting thread delivers to the new one
            }
        }
        try {
            waiters.execute(() -> waitFor(pid));
        } catch (RejectedExecutionException e) {
            // close() came in between: it dropped every handler, and leaves the child to its parent
            synchronized (lock) {
                stopWaiting(pid);
            }
        }
    }

    private Thread newWaitingThread(Runnable work) {
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

    private void waitFor(long pid) {
        boolean leftTheTable = false;
        try {
            if (!awaitExitWithoutReaping(pid)) {
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
                stopWaiting(pid);
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
                    stopWaiting(pid);
                }
            }
        }
    }

    // True once the child exited (it is a zombie now, still unreaped); false when the watcher closed.
    private boolean awaitExitWithoutReaping(long pid) {
        if (posix.pidfdSupported()) {
            int wake;
            int pidfd;
            try {
                synchronized (lock) {
                    if (closed) {
                        return false;
                    }
                    wake = closeFd();
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
            return !closed;
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

    // Under the lock. Only threads waiting for a child poll the wake-up eventfd: once none does, it is
    // closed (the next child makes another), so a watcher that lives on keeps no descriptor for the
    // children it had (ChaosSoakIT found anon_inode:[eventfd] +1 at its end).
    private void stopWaiting(long pid) {
        waited.remove(pid);
        if (waited.isEmpty() && (!closed || eventfdLeftToLastWaiter)) {
            closeEventfd();
        }
    }

    // Under the lock.
    private void closeEventfd() {
        if (closeFd >= 0) {
            closeQuietly(closeFd);
            closeFd = -1;
        }
    }

    // An eventfd that close() makes readable for good: every waiting thread wakes and ends. Made
    // under the lock that close() takes, so close() always sees the one the threads poll.
    private int closeFd() throws PosixException {
        if (closeFd < 0) {
            closeFd = posix.eventfd();
        }
        return closeFd;
    }

    @Override
    public boolean removeChildHandler(long pid) {
        return table.remove(pid) != null;
    }

    @Override
    public Map<Long, ChildHandler> children() {
        return table.children();
    }

    @Override
    public void attachLoop(EventLoop loop) {
        // asyncio: a no-op; waiting threads serve loops on any thread
    }

    @Override
    public boolean isActive() {
        synchronized (lock) {
            return !closed;
        }
    }

    @Override
    public String inactiveReason() {
        return isActive() ? null : "it is closed";
    }

    /** The threads waiting for a child (idle ones not counted): for diagnostics and tests. */
    public int waitingThreads() {
        synchronized (lock) {
            return waited.size();
        }
    }

    @Override
    public void close() {
        int wake;
        List<Child> dropped;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            dropped = table.takeAll(); // with closed, under the lock: no waiting thread delivers after it
            wake = closeFd;
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
        waiters.shutdown(); // idle threads end now, waiting ones once woken (or, without pidfds, once their child exits)
        if (threads.contains(Thread.currentThread())) {
            // A handler on one of this watcher's own threads (a handed-over child's) closes it: that
            // thread cannot end before this returns, so waiting for the pool always took the whole 5 s
            // (ChildrenNeverLostTest). The others end once woken.
            leaveEventfdToLastWaiter();
            return;
        }
        if (!posix.pidfdSupported()) {
            synchronized (lock) {
                if (!waited.isEmpty()) {
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
        for (Thread thread : threads) {
            ended &= Uninterruptibly.join(thread, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        if (!ended) {
            leaveEventfdToLastWaiter(); // a thread still polls it
            return;
        }
        synchronized (lock) {
            closeEventfd();
        }
    }

    // After close(): the eventfd is closed by the last waiting thread to stop, or now if none waits.
    private void leaveEventfdToLastWaiter() {
        synchronized (lock) {
            eventfdLeftToLastWaiter = true;
            if (waited.isEmpty()) {
                closeEventfd();
            }
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
