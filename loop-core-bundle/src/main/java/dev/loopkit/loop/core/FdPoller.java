package dev.loopkit.loop.core;

import dev.loopkit.loop.core.scheduling.CallbackHandle;
import dev.loopkit.loop.core.scheduling.Readiness;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.posix.Epoll;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;

/**
 * Readiness of raw file descriptors (pipes, pidfds, eventfds), which a java.nio {@code Selector}
 * cannot watch: one helper thread per loop blocks in {@code epoll_wait} on the loop's own epoll set
 * and hands each readiness to the loop's scheduler as a {@link Readiness}, which puts the reader and
 * writer in the ready queue: they run on the loop thread, called by the loop itself like any other
 * callback, never from inside another one. Descriptors are armed one-shot ({@code EPOLLONESHOT}) and
 * re-armed after their callbacks ran, so a descriptor the loop has not read yet does not fire again:
 * level-triggered semantics without a busy helper. An eventfd in the same set stops the thread when the loop closes. Made on
 * the first raw-fd reader or writer; a loop without raw descriptors has no helper thread.
 */
final class FdPoller {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    private static final int CAPACITY = 64;
    private static final int READABLE = Epoll.IN | Epoll.HUP | Epoll.ERR;
    private static final int WRITABLE = Epoll.OUT | Epoll.HUP | Epoll.ERR;

    private final BaseEventLoop loop;
    private final Scheduler scheduler;
    private final Posix posix;
    private final Epoll epoll;
    private final int wakeFd;
    private final Thread thread;
    private volatile boolean closing;
    /** Loop thread only (asserted). */
    private final Map<Integer, Interest> interests = new HashMap<>();

    /** What the loop waits for on one descriptor. */
    private final class Interest {
        final int fd;
        CallbackHandle reader;
        CallbackHandle writer;
        boolean registered;

        Interest(int fd) {
            this.fd = fd;
        }

        int events() {
            return (reader != null ? Epoll.IN : 0) | (writer != null ? Epoll.OUT : 0);
        }
    }

    FdPoller(BaseEventLoop loop) {
        this.loop = loop;
        this.scheduler = loop.scheduler();
        this.posix = Posix.get();
        try {
            epoll = posix.epoll(CAPACITY);
        } catch (PosixException e) {
            throw new IllegalStateException("cannot create the loop's epoll set: " + e.getMessage(), e);
        }
        try {
            wakeFd = posix.eventfd();
            epoll.add(wakeFd, Epoll.IN);
        } catch (PosixException e) {
            epoll.close();
            throw new IllegalStateException("cannot create the loop's wake-up eventfd: " + e.getMessage(), e);
        }
        thread = new Thread(this::pollUntilClosed, "loopkit-fdpoller-" + loop.id());
        thread.setDaemon(true);
        thread.start();
    }

    // ---- loop thread ------------------------------------------------------------------------------

    void addReader(int fd, CallbackHandle handle) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interest(fd);
        CallbackHandle previous = interest.reader;
        interest.reader = handle;
        arm(interest);
        if (previous != null) {
            previous.cancel();
        }
    }

    void addWriter(int fd, CallbackHandle handle) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interest(fd);
        CallbackHandle previous = interest.writer;
        interest.writer = handle;
        arm(interest);
        if (previous != null) {
            previous.cancel();
        }
    }

    boolean removeReader(int fd) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interests.get(fd);
        if (interest == null || interest.reader == null) {
            return false;
        }
        interest.reader.cancel();
        interest.reader = null;
        arm(interest);
        return true;
    }

    boolean removeWriter(int fd) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interests.get(fd);
        if (interest == null || interest.writer == null) {
            return false;
        }
        interest.writer.cancel();
        interest.writer = null;
        arm(interest);
        return true;
    }

    /** How many descriptors are watched. */
    int size() {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        return interests.size();
    }

    private Interest interest(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd);
        }
        return interests.computeIfAbsent(fd, Interest::new);
    }

    // (Re-)arms the descriptor for what is still wanted, one-shot; forgets it when nothing is.
    private void arm(Interest interest) {
        int events = interest.events();
        try {
            if (events == 0) {
                interests.remove(interest.fd);
                if (interest.registered) {
                    interest.registered = false;
                    epoll.delete(interest.fd);
                }
            } else if (interest.registered) {
                epoll.modify(interest.fd, events | Epoll.ONESHOT);
            } else {
                epoll.add(interest.fd, events | Epoll.ONESHOT);
                interest.registered = true;
            }
        } catch (PosixException e) {
            if (events == 0 || interest.registered) {
                // closed behind our back: the kernel already dropped it from the set
                LOG.log(Level.DEBUG, "fd {0} left the epoll set: {1}", interest.fd, e.getMessage());
                interests.remove(interest.fd);
                interest.registered = false;
                return;
            }
            interests.remove(interest.fd);
            throw new IllegalArgumentException("Invalid file descriptor: " + interest.fd + " (" + e.getMessage() + ")", e);
        }
    }

    /** What the helper thread saw on one descriptor, on its way to the loop thread. */
    private final class FdReadiness extends Readiness {
        private final int fd;
        private final int events;

        FdReadiness(int fd, int events) {
            this.fd = fd;
            this.events = events;
        }

        @Override
        protected void deliver(Scheduler scheduler) {
            FdPoller.this.deliver(scheduler, fd, events);
        }
    }

    // Puts the callbacks for what the helper saw in the ready queue, then a re-arming after them: the
    // next readiness comes only after the loop had its chance to consume this one.
    private void deliver(Scheduler scheduler, int fd, int events) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interests.get(fd);
        if (interest == null) {
            return; // removed while the readiness travelled
        }
        // If the fd was closed and its number registered again meanwhile, this readiness was the old
        // descriptor's: a spurious one for the new, which readers tolerate as with any selector
        // (a non-blocking read that would block does nothing).
        if ((events & READABLE) != 0 && interest.reader != null) {
            scheduler.addReady(interest.reader);
        }
        if ((events & WRITABLE) != 0 && interest.writer != null) {
            scheduler.addReady(interest.writer);
        }
        scheduler.addReady(scheduler.newHandle(() -> rearm(interest)));
    }

    private void rearm(Interest interest) {
        if (interests.get(interest.fd) == interest && interest.registered) {
            arm(interest);
        }
    }

    // ---- helper thread ------------------------------------------------------------------------------

    private void pollUntilClosed() {
        try {
            while (!closing) {
                int ready = epoll.await(-1);
                for (int i = 0; i < ready; i++) {
                    int fd = epoll.readyFd(i);
                    if (fd == wakeFd) {
                        posix.eventfdRead(wakeFd);
                        continue;
                    }
                    int events = epoll.readyEvents(i);
                    scheduler.offerReadiness(new FdReadiness(fd, events));
                }
            }
        } catch (IllegalStateException loopClosed) {
            // the loop closed while a readiness was on its way: nothing left to tell
        } catch (PosixException e) {
            if (!closing) {
                LOG.log(Level.ERROR, "epoll_wait failed on " + loop + "; raw file descriptors are no longer watched", e);
            }
        }
    }

    /** Stops the helper thread and closes the epoll set; loop thread, when the loop closes. */
    void close() {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        closing = true;
        try {
            posix.eventfdWrite(wakeFd, 1);
        } catch (PosixException e) {
            LOG.log(Level.DEBUG, "waking the fd poller", e);
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        epoll.close();
        try {
            posix.close(wakeFd);
        } catch (PosixException e) {
            LOG.log(Level.DEBUG, "closing the fd poller's eventfd", e);
        }
        interests.values().forEach(i -> {
            if (i.reader != null) {
                i.reader.cancel();
            }
            if (i.writer != null) {
                i.writer.cancel();
            }
        });
        interests.clear();
    }
}
