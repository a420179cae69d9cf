package dev.loopkit.watcher.pidfd;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.RunningLoop;
import dev.loopkit.api.RuntimeHook;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.LoopResource;
import dev.loopkit.loop.core.Uninterruptibly;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.WaitStatus;
import dev.loopkit.watcher.base.AbstractChildWatcher;
import dev.loopkit.watcher.base.Child;
import dev.loopkit.watcher.base.ChildTable;
import dev.loopkit.watcher.base.OutsideSpawnGate;
import dev.loopkit.watcher.pidfd.internal.PidfdsWork;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * asyncio's {@code PidfdChildWatcher} (3.12): each child gets a pidfd, watched as a reader by the
 * loop that registered it (the running loop, else the attached one); when it becomes readable the
 * child has exited and is reaped with {@code waitid(P_PIDFD)}, on that loop's thread. O(1) per
 * exit, no signal, no thread of its own, and it never touches another's child. Every pidfd is
 * closed on every path (CPython leaked it when {@code waitpid} failed, cpython#151179).
 *
 * <p>A child whose loop closes before it exits is not left a zombie (CPython's is: the closed loop
 * never reads its pidfd again): the watcher learns of the close as the loop releases what it owns,
 * and reaps the exit then, or on a thread of its own ({@code loopkit-pidfd-orphan-<pid>}) once it
 * comes. A child registered from its running loop is that loop's: then nothing is delivered, with
 * the warning of asyncio's {@code ThreadedChildWatcher}, "Loop ... that handles pid N is closed". A
 * child registered outside any loop is only read on the attached loop: its handler, thread-safe as
 * every handler is, still gets the exit. One a watcher switch hands over is waited for on a thread of
 * its own from the start, whichever loop the switching thread runs: its handler passes the exit on.
 *
 * <p>Needs Linux 5.3+ with {@code pidfd_open} allowed (containers may forbid it): the constructor
 * probes and refuses otherwise; in OSGi the component is satisfied only by the {@link PidfdsWork}
 * marker the bundle's probe registers where it succeeds.
 */
@Component(service = ChildWatcher.class, immediate = true, reference = @Reference(name = "pidfdsWork", service = PidfdsWork.class))
@ServiceRanking(PidfdChildWatcher.RANKING)
@LoopkitName(PidfdChildWatcher.NAME)
public class PidfdChildWatcher extends AbstractChildWatcher {

    public static final String NAME = "pidfd";
    public static final int RANKING = 50;
    /** A thread waiting for an orphan only polls and reaps: the JVM's minimum stack is plenty. */
    private static final long STACK_SIZE = 128 * 1024;

    /**
     * One watched child. It is a resource of the loop that reads its pidfd: when that loop closes
     * before the child exits, {@link #release()} reaps the exit here or on a waiting thread. It is also
     * the callback that starts the watch on the loop's thread ({@link #run()}); a loop that closes
     * before it ran that callback releases it the same way.
     *
     * <p>Starting the watch, stopping it and closing the pidfd happen under the watch's own monitor
     * (loop calls only, never user code): a watch queued on the loop while the child was removed and
     * its pidfd closed must not add a reader for that number, which may be someone else's by then.
     */
    private final class Watch extends Child implements LoopResource, Runnable {
        final int pidfd;
        /** The loop that reads the pidfd ({@code null}: a waiting thread does); the handler is called where the exit is reaped. */
        final EventLoop loop;
        /** Registered outside any running loop: {@link #loop} only reads the pidfd, the handler delivers elsewhere. */
        final boolean handlerOutlivesLoop;
        /** Closed once: a second close could hit a descriptor number the kernel gave to someone else since. */
        private final AtomicBoolean open = new AtomicBoolean(true);
        /** Guarded by lock: its loop closed while it was registered, and a waiting thread owns the pidfd now. */
        private boolean orphaned;

        Watch(long pid, int pidfd, ChildHandler handler, EventLoop loop, boolean handlerOutlivesLoop) {
            super(pid, handler, null);
            this.pidfd = pidfd;
            this.loop = loop;
            this.handlerOutlivesLoop = handlerOutlivesLoop;
        }

        /** Starts the watch: on the loop's thread, or the registering one while the loop does not run. */
        @Override
        public void run() {
            synchronized (this) {
                if (!open.get()) {
                    return; // removed (or replaced) before the loop came to it: its pidfd is closed
                }
                try {
                    if (!loop.isClosed()) {
                        loop.addReader(pidfd, this::exited);
                        if (loop instanceof BaseEventLoop ownsResources) {
                            ownsResources.track(this);
                        }
                        return;
                    }
                } catch (IllegalStateException cannotWatch) {
                    if (!handlerOutlivesLoop && !loop.isClosed()) {
                        // Not a closed loop: the pidfd cannot be watched (out of descriptors, the loop's
                        // poller could not be made). Registered from this loop, the registration fails and
                        // the spawn kills and reaps its child; taken for a closed loop, the exit went to a
                        // waiting thread that warned "Loop ... is closed", and the spawn hung (a review).
                        throw cannotWatch;
                    }
                    // "Event loop is closed", or a handler that gets the exit wherever it is reaped: as below
                }
            }
            release();
        }

        // Loop thread: the pidfd is readable, the child exited (or a readiness meant for a descriptor
        // that had this number before: then the child is still running, and is watched on).
        void exited() {
            // Reaping and leaving the table under its lock: a hand-over either took the child before
            // (then it is not ours to reap) or finds it gone after.
            ChildTable.Reaped<Watch> reaped = table.reap(this, (watch, warnLater) -> watch.reapNow(warnLater, Runnable::run));
            if (reaped == null && table.holds(this)) {
                return; // not exited: a spurious readiness, the reader stays
            }
            stopReading(); // exited, or removed or replaced meanwhile
            closeOnce();
            if (reaped != null) {
                table.deliver(this, reaped.returncode());
            }
        }

        /**
         * The loop closed (its pending callbacks dropped, its readers gone) while the child is ours:
         * the exit is still reaped, once: an exit that is already there now, otherwise on a thread
         * that waits for it. Then, for a child of the closed loop, asyncio's warning and nothing
         * delivered (as its {@code ThreadedChildWatcher} does); for a child handed over, the handler.
         */
        @Override
        public void release() {
            synchronized (lock) {
                orphaned = table.holds(this);
            }
            // The loop calls this while it closes, in its closing state (another thread's close() waits
            // for that to end): a handler (user code) must not run there, so a child whose handler gets
            // the exit is always reaped on the waiting thread, which finds an exit already there at once.
            // For the same reason, what an exit reaped here has to say waits until the loop is closed
            // (WatcherLogHandlerReentrancyTest).
            if (handlerOutlivesLoop || !reapOrphan(this::onceLoopClosed)) {
                startOrphanWaiter(this);
            }
        }

        /** Read by a waiting thread from the start: registered in a hand-over that had no loop to give. */
        void orphanFromTheStart() {
            synchronized (lock) {
                orphaned = true;
            }
            startOrphanWaiter(this);
        }

        private void onceLoopClosed(Runnable warning) {
            if (loop instanceof BaseEventLoop closing) {
                closing.afterClose(warning);
            } else {
                warning.run();
            }
        }

        // True when done: the exit reaped (and delivered or warned about), or the child no longer ours.
        // The warnings go to `say`.
        boolean reapOrphan(Executor say) {
            ChildTable.Reaped<Watch> reaped = table.reap(this, (watch, warnLater) -> watch.reapNow(warnLater, say));
            if (reaped == null && table.holds(this)) {
                return false; // still running
            }
            closeOnce();
            if (reaped != null && handlerOutlivesLoop) {
                table.deliver(this, reaped.returncode());
            } else if (reaped != null) {
                say.execute(() -> table.warnLoopClosed(loop, pid()));
            }
            return true;
        }

        // Under the table's lock: waitid(P_PIDFD, WNOHANG), or 255 with asyncio's warning when someone
        // else reaped it, said once the table's lock is released (a log handler may call the watcher).
        private Integer reapNow(List<Runnable> warnLater, Executor say) {
            try {
                WaitStatus status = posix.waitidPidfd(pidfd, true, false);
                return status == null ? null : status.returncode();
            } catch (PosixException e) {
                long pid = pid();
                warnLater.add(() -> say.execute(() -> warnAlreadyRead(pid)));
                return ChildTable.UNKNOWN_RETURNCODE;
            }
        }

        private void stopReading() {
            loop.removeReader(pidfd);
            if (loop instanceof BaseEventLoop ownsResources) {
                ownsResources.untrack(this);
            }
        }

        void closeOnce() {
            synchronized (this) {
                if (open.compareAndSet(true, false)) {
                    closeDescriptor(pidfd);
                }
            }
        }

        void cancel() {
            synchronized (lock) {
                if (orphaned) {
                    return; // its waiting thread closes the pidfd once the child exits or the watcher closes
                }
            }
            onLoop(loop, () -> {
                synchronized (this) {
                    if (!loop.isClosed() && open.get()) {
                        stopReading();
                    }
                    closeOnce();
                }
            });
        }
    }

    private final ChildTable<Watch> table = new ChildTable<>(getClass());
    /** Guards what is the pidfd watcher's own. */
    private final Object lock = new Object();
    // Guarded by lock: the threads waiting for children whose loop closed, and what wakes them on close().
    private final Set<Thread> orphanWaiters = new HashSet<>();
    /**
     * Guarded by lock: children of closed loops whose waiting thread could not start (the host's thread
     * limit). As Tokio's orphan queue, they are looked at again when this watcher next takes a child:
     * reaped if they exited, given a thread otherwise. Kept nowhere, each was a zombie for good.
     */
    private final List<Watch> withoutWaiter = new ArrayList<>();
    private int closeFd = -1;
    /** Guarded by lock: the eventfd a close made on an orphan thread (a handler's) left to the last orphan thread to end. */
    private int closeFdLeftToLastWaiter = -1;
    private boolean closed;
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
        Child child = new Child(pid, handler, null);
        // A handed-over child is waited for on a thread of its own, as an orphan is: its handler passes the
        // exit on to its own loop. Watched on the running loop, that of whoever switched, a switch from
        // another loop's callback tied the child to that loop, and its exit was lost once it closed; the
        // attached loop may not run at all.
        boolean handedOver = RuntimeHook.get().handingOverInThisThread();
        EventLoop running = RunningLoop.get();
        EventLoop loop = running != null ? running : attached;
        if (loop == null && !handedOver) {
            // asyncio's get_running_loop() words first
            throw new IllegalStateException("no running event loop: the pidfd child watcher needs a loop: register"
                    + " children from a running loop, or attach one with attachLoop");
        }
        table.checkOpen(); // before a pidfd is opened
        lookAgainAtOrphansWithoutWaiter();
        int pidfd;
        try {
            pidfd = posix.pidfdOpen(pid);
        } catch (PosixException e) {
            if (!"ESRCH".equals(e.errnoName())) {
                throw new IllegalStateException("pidfd_open(" + pid + ") failed: " + e.getMessage(), e);
            }
            reportUnknown(child);
            return;
        }
        if (!isOurChild(pidfd)) {
            closeDescriptor(pidfd);
            reportUnknown(child);
            return;
        }
        Watch watch = new Watch(pid, pidfd, handler, handedOver ? null : loop, handedOver || running == null);
        Watch replaced;
        try {
            replaced = table.put(watch);
        } catch (IllegalStateException closedMeanwhile) {
            watch.closeOnce();
            throw closedMeanwhile;
        }
        if (replaced != null) {
            replaced.cancel();
        }
        if (handedOver) {
            // Also with no main loop (its platform stopped): refused, the child went back to a watcher that
            // may have no loop either, and its exit never came.
            watch.orphanFromTheStart();
            return;
        }
        try {
            onLoop(loop, watch); // the Watch itself: a loop that closes before it runs releases it
        } catch (Throwable cannotWatch) {
            // Also an error the loop passes on: the poller's thread that cannot start at the host's limit
            // (PidfdThatCannotBeWatchedTest). The spawn kills and reaps the child; kept, it stayed listed,
            // its pidfd open.
            table.remove(watch);
            watch.closeOnce();
            throw cannotWatch;
        }
    }

    // A live process that is not our child (or one reaped already): the other watchers report 255 at
    // once, as asyncio's waitpid does; its pidfd would become readable only when that process ends.
    // waitid(WNOHANG | WNOWAIT) leaves a child of ours as it is: one system call per spawn.
    private boolean isOurChild(int pidfd) {
        try {
            posix.waitidPidfd(pidfd, true, true);
            return true;
        } catch (PosixException e) {
            if ("ECHILD".equals(e.errnoName())) {
                return false;
            }
            closeDescriptor(pidfd);
            throw new IllegalStateException("waitid(P_PIDFD) failed: " + e.getMessage(), e);
        }
    }

    private void reportUnknown(Child child) {
        warnAlreadyRead(child.pid());
        table.deliver(child, ChildTable.UNKNOWN_RETURNCODE);
    }

    // asyncio's words, two spaces included.
    private void warnAlreadyRead(long pid) {
        OutsideSpawnGate.run(() -> log.log(Level.WARNING, "child process pid {0} exit status already read:  will"
                + " report returncode 255", Long.toString(pid)));
    }

    /**
     * Waits for {@code watch}'s exit on a thread of its own. A thread that cannot start is put off to
     * the next child ({@link #withoutWaiter}), and its error (fatal, as the JVM's errors are) thrown.
     */
    private void startOrphanWaiter(Watch watch) {
        Thread waiter = new Thread(null, () -> awaitOrphan(watch), "loopkit-pidfd-orphan-" + watch.pid(), STACK_SIZE);
        waiter.setDaemon(true);
        // It outlives the loop, and the plugin whose thread closed it: not that thread's context loader.
        waiter.setContextClassLoader(PidfdChildWatcher.class.getClassLoader());
        synchronized (lock) {
            if (closed) {
                watch.closeOnce(); // the watcher closed: the exit is left to the child's parent, unreaped
                return;
            }
            orphanWaiters.add(waiter);
        }
        try {
            waiter.start();
        } catch (Throwable cannotStart) { // OutOfMemoryError: unable to create native thread
            boolean putOff;
            synchronized (lock) {
                orphanWaiters.remove(waiter);
                putOff = !closed && withoutWaiter.add(watch);
            }
            if (!putOff) {
                watch.closeOnce();
            }
            long pid = watch.pid();
            OutsideSpawnGate.run(() -> log.log(Level.WARNING, "cannot start a thread to wait for child " + pid
                    + " after its loop closed (" + cannotStart + "): it is looked at again when this watcher takes"
                    + " its next child"));
            throw cannotStart;
        }
    }

    // Under the spawn gate, as a child is taken: what the warnings say waits until it is released.
    private void lookAgainAtOrphansWithoutWaiter() {
        List<Watch> again;
        synchronized (lock) {
            if (withoutWaiter.isEmpty()) {
                return;
            }
            again = new ArrayList<>(withoutWaiter);
            withoutWaiter.clear();
        }
        for (Watch watch : again) {
            if (!watch.reapOrphan(OutsideSpawnGate::run)) {
                try {
                    startOrphanWaiter(watch);
                } catch (Throwable stillCannot) {
                    // put off again, and said: the child being taken now is not refused for it
                }
            }
        }
    }

    // On the orphan's own thread: waits for the exit (or the watcher's close), without a loop.
    private void awaitOrphan(Watch watch) {
        try {
            int wake;
            synchronized (lock) {
                wake = closed ? -1 : closeFd();
            }
            while (wake >= 0 && posix.awaitReadable(new int[] {watch.pidfd, wake}, -1) == 0 && !watch.reapOrphan(Runnable::run)) {
                // readable but not reapable yet: look again
            }
        } catch (PosixException | RuntimeException e) {
            log.log(Level.ERROR, "waiting for child " + watch.pid() + " after its loop closed failed", e);
        } finally {
            watch.closeOnce();
            synchronized (lock) {
                orphanWaiters.remove(Thread.currentThread());
                // the last waiter closes the wake-up eventfd: no thread polls it now, and the next orphan
                // makes another (a watcher that lives on keeps no descriptor for orphans it had)
                if (orphanWaiters.isEmpty() && !closed && closeFd >= 0) {
                    closeDescriptor(closeFd);
                    closeFd = -1;
                }
                if (orphanWaiters.isEmpty() && closeFdLeftToLastWaiter >= 0) {
                    closeDescriptor(closeFdLeftToLastWaiter);
                    closeFdLeftToLastWaiter = -1;
                }
            }
        }
    }

    // Under the lock: an eventfd that close() makes readable for good, so that every orphan's thread ends.
    private int closeFd() throws PosixException {
        if (closeFd < 0) {
            closeFd = posix.eventfd();
        }
        return closeFd;
    }

    @Override
    public boolean removeChildHandler(long pid) {
        Watch removed = table.remove(pid);
        if (removed == null) {
            return false;
        }
        removed.cancel();
        return true;
    }

    @Override
    public Map<Long, ChildHandler> children() {
        return table.children();
    }

    /** The loop used for children registered outside a running loop; attached again after a close, it works again. */
    @Override
    public void attachLoop(EventLoop loop) {
        attached = loop;
        if (loop != null) {
            synchronized (lock) {
                closed = false;
            }
            table.reopen();
        }
    }

    /** Until it is closed (and not attached again): a closed watcher refuses children, so a spawn through it would fail. */
    @Override
    public boolean isActive() {
        return !table.isClosed();
    }

    /** The refusal's reason a spawn through a closed watcher gives (it said the interface's "it is not active"). */
    @Override
    public String inactiveReason() {
        return isActive() ? null : "it is closed";
    }

    /**
     * Drops every child (their exits are left to their parent, unreaped) and closes every pidfd;
     * threads waiting for children whose loop closed end.
     */
    @Override
    public void close() {
        List<Thread> waiters;
        int wake;
        List<Watch> unwaited;
        synchronized (lock) {
            closed = true;
            waiters = new ArrayList<>(orphanWaiters);
            wake = closeFd;
            closeFd = -1; // wakeAndJoin's to close: attached again, the watcher makes another
            unwaited = new ArrayList<>(withoutWaiter);
            withoutWaiter.clear();
        }
        unwaited.forEach(Watch::closeOnce); // as every child's: its exit is left to its parent
        table.close().forEach(Watch::cancel);
        attached = null;
        if (wake >= 0) {
            wakeAndJoin(wake, waiters);
        }
    }

    // The eventfd is closed only once no thread polls it: its number could be someone else's after.
    // Joined through an interrupt of the closing thread: it gave up at once, and the eventfd stayed open.
    private void wakeAndJoin(int wake, List<Thread> waiters) {
        try {
            posix.eventfdWrite(wake, 1);
        } catch (PosixException e) {
            log.log(Level.WARNING, "waking the threads waiting for orphaned children failed", e);
            return;
        }
        Thread self = Thread.currentThread();
        for (Thread waiter : waiters) {
            if (waiter != self && !Uninterruptibly.join(waiter, TimeUnit.SECONDS.toMillis(5))) {
                log.log(Level.WARNING, waiter.getName() + " did not end: its wake-up eventfd stays open");
                return;
            }
        }
        if (waiters.contains(self)) {
            // A handler on an orphan thread closes the watcher: that thread cannot end before this returns
            // (joining it waited 5 s for itself and left the eventfd open); it closes the eventfd on its way out.
            synchronized (lock) {
                closeFdLeftToLastWaiter = wake;
            }
            return;
        }
        closeDescriptor(wake);
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

    private void closeDescriptor(int fd) {
        try {
            posix.close(fd);
        } catch (PosixException e) {
            log.log(Level.DEBUG, "closing fd " + fd, e);
        }
    }
}
