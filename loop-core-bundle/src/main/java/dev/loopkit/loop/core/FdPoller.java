package dev.loopkit.loop.core;

import dev.loopkit.loop.core.scheduling.CallbackHandle;
import dev.loopkit.loop.core.scheduling.Readiness;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.posix.PosixException;
import java.lang.System.Logger.Level;

/**
 * Readiness of raw file descriptors (pipes, pidfds, eventfds), which a java.nio {@code Selector}
 * cannot watch: one helper thread per loop blocks in {@code epoll_wait} on the loop's own
 * {@link RawFdSet} and hands each readiness to the loop's scheduler as a {@link Readiness}, which
 * puts the reader and writer in the ready queue: they run on the loop thread, called by the loop
 * itself like any other callback, never from inside another one. Descriptors are armed one-shot and
 * re-armed after their callbacks ran, so a descriptor the loop has not read yet does not fire again:
 * level-triggered semantics without a busy helper. The set's wake-up eventfd stops the thread when
 * the loop closes. Made on the first raw-fd reader or writer; a loop without raw descriptors has no
 * helper thread. (A loop that waits in epoll itself needs none: it waits in its {@link RawFdSet}.)
 *
 * <p>The helper holds the set's waiting half, and this poller only weakly ({@link HelperThread}).
 */
final class FdPoller {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final BaseEventLoop loop;
    private final Scheduler scheduler;
    private final RawFdSet fds;
    private final Helper helper;

    FdPoller(BaseEventLoop loop) {
        this.loop = loop;
        this.scheduler = loop.scheduler();
        this.fds = new RawFdSet(loop, true);
        helper = new Helper(fds.waiting(), this, "loopkit-fdpoller-" + loop.id());
        helper.start();
        loop.closeIfDropped(helper::stopDropped);
    }

    // ---- loop thread ------------------------------------------------------------------------------

    void addReader(int fd, CallbackHandle handle) {
        fds.addReader(fd, handle);
    }

    void addWriter(int fd, CallbackHandle handle) {
        fds.addWriter(fd, handle);
    }

    boolean removeReader(int fd) {
        return fds.removeReader(fd);
    }

    boolean removeWriter(int fd) {
        return fds.removeWriter(fd);
    }

    /** How many descriptors are watched. */
    int size() {
        return fds.size();
    }

    /** What the helper thread saw on one descriptor, on its way to the loop thread. */
    private final class FdReadiness extends Readiness {
        private final int fd;
        private final int events;
        private final int generation;

        FdReadiness(int fd, int events, int generation) {
            this.fd = fd;
            this.events = events;
            this.generation = generation;
        }

        @Override
        protected void deliver(Scheduler scheduler) {
            fds.deliver(fd, events, generation);
        }
    }

    // ---- helper thread ------------------------------------------------------------------------------

    /** The helper thread: it holds the set's waiting half, which reaches nothing of the loop. */
    private static final class Helper extends HelperThread<FdPoller> {
        private final RawFdSet.Waiting set;

        Helper(RawFdSet.Waiting set, FdPoller poller, String name) {
            super(poller, name, "raw file descriptors are");
            this.set = set;
        }

        @Override
        protected void awaitOnce() throws PosixException {
            set.await(-1, this::offer);
        }

        private void offer(int fd, int events, int generation) {
            FdPoller poller = owner();
            if (poller != null) {
                poller.scheduler.offerReadiness(poller.new FdReadiness(fd, events, generation));
            }
        }

        @Override
        protected void wake() {
            set.wake();
        }

        @Override
        protected void closeSet() throws PosixException {
            set.close();
        }
    }

    /** Stops the helper thread and closes the epoll set; loop thread, when the loop closes. */
    void close() {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        helper.stopClosing();
        if (!Uninterruptibly.join(helper.thread, 10_000)) {
            // Its epoll_wait may still write into the set's native buffer: leaked rather than freed under it.
            LOG.log(Level.WARNING, "thread {0} did not end; its epoll set is left open", helper.thread.getName());
            return;
        }
        fds.close();
    }
}
