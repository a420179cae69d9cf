package dev.loopkit.loop.core;

import dev.loopkit.loop.core.scheduling.CallbackHandle;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.posix.Epoll;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;

/**
 * A loop's own epoll set: the raw file descriptors it watches (pipes, pidfds, eventfds), with the
 * reader and writer waiting for each, and an eventfd in the same set that makes a wait return early.
 * Two kinds of waiter share it: {@link FdPoller}'s helper thread, for a loop that itself waits in a
 * java.nio {@code Selector} (then registrations are one-shot, re-armed after the callbacks ran, so a
 * descriptor the loop has not read yet does not fire again meanwhile), and a loop thread that waits
 * in this set itself (the epoll loop: then registrations are level-triggered, as a selector's, since
 * readiness is only collected between iterations).
 *
 * <p>The interests are the loop thread's; {@link #wake()} may be called from any thread.
 */
public final class RawFdSet {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    private static final int CAPACITY = 64;
    private static final int READABLE = Epoll.IN | Epoll.HUP | Epoll.ERR;
    private static final int WRITABLE = Epoll.OUT | Epoll.HUP | Epoll.ERR;

    /** Told of each ready descriptor of one {@link #await}. */
    @FunctionalInterface
    public interface ReadyFd {
        /**
         * {@code fd} is ready for {@code events} (a mask of {@link Epoll#IN}, {@link Epoll#OUT}, ...), as
         * registration {@code generation} of the number watches it.
         */
        void ready(int fd, int events, int generation);
    }

    private final BaseEventLoop loop;
    private final Scheduler scheduler;
    private final boolean oneShot;
    private final Epoll epoll;
    private final Waiting waiting;
    /** Loop thread only (asserted). */
    private final Map<Integer, Interest> interests = new HashMap<>();
    /** The last registration's number: each tells its events from an earlier one's of the same descriptor number. Loop thread. */
    private int generations;

    /** What the loop waits for on one descriptor. */
    private static final class Interest {
        final int fd;
        /**
         * Which registration of the number this is, carried by its events: a readiness handed over by a
         * waiter on another thread for a descriptor since closed, whose number a new one took, reached the
         * new one's callbacks (StaleReadinessOfAnEarlierDescriptorTest).
         */
        int generation;
        CallbackHandle reader;
        CallbackHandle writer;
        boolean registered;

        Interest(int fd, int generation) {
            this.fd = fd;
            this.generation = generation;
        }

        int events() {
            return (reader != null ? Epoll.IN : 0) | (writer != null ? Epoll.OUT : 0);
        }
    }

    /**
     * Opens the set and its wake-up eventfd.
     *
     * @param oneShot arm descriptors one-shot and re-arm them after their callbacks ran (for a
     *        waiter on another thread than the loop's); otherwise level-triggered
     * @throws IllegalStateException when epoll or eventfd cannot be had
     */
    public RawFdSet(BaseEventLoop loop, boolean oneShot) {
        this.loop = loop;
        this.scheduler = loop.scheduler();
        this.oneShot = oneShot;
        Posix posix = Posix.get();
        try {
            epoll = posix.epoll(CAPACITY);
        } catch (PosixException e) {
            throw new IllegalStateException("cannot create the loop's epoll set: " + e.getMessage(), e);
        }
        int wakeFd;
        try {
            wakeFd = posix.eventfd();
            epoll.add(wakeFd, Epoll.IN);
        } catch (PosixException e) {
            epoll.close();
            throw new IllegalStateException("cannot create the loop's wake-up eventfd: " + e.getMessage(), e);
        }
        waiting = new Waiting(posix, epoll, wakeFd);
    }

    // ---- waiting (the waiter's thread) ----------------------------------------------------------------

    /** See {@link Waiting#await}. */
    public void await(int timeoutMillis, ReadyFd ready) throws PosixException {
        waiting.await(timeoutMillis, ready);
    }

    /** See {@link Waiting#wake}. Any thread. */
    public void wake() {
        waiting.wake();
    }

    /**
     * The waiting half of the set, the epoll set and its wake-up eventfd: what a waiter on another
     * thread holds ({@link FdPoller}'s helper) and what {@link BaseEventLoop#closeIfDropped} takes. It
     * reaches nothing of the loop, so a helper blocked in it does not keep a loop its user dropped
     * alive (an outside review: a dropped selector loop that had watched a child's pipe kept its helper
     * thread and four descriptors for good).
     */
    public Waiting waiting() {
        return waiting;
    }

    /** The epoll set and its wake-up eventfd; closed at most once (a descriptor number closed twice may be another's by then). */
    public static final class Waiting implements AutoCloseable {
        private final Posix posix;
        private final Epoll epoll;
        private final int wakeFd;
        /** Guarded by this: the wake-up eventfd is closed, its number may be someone else's now. */
        private boolean closed;

        private Waiting(Posix posix, Epoll epoll, int wakeFd) {
            this.posix = posix;
            this.epoll = epoll;
            this.wakeFd = wakeFd;
        }

        /**
         * {@code epoll_wait} up to {@code timeoutMillis} ({@code -1}: until woken); tells {@code ready}
         * of each ready descriptor, and consumes a {@link #wake()} without telling.
         */
        public void await(int timeoutMillis, ReadyFd ready) throws PosixException {
            int count = epoll.await(timeoutMillis);
            for (int i = 0; i < count; i++) {
                int fd = epoll.readyFd(i);
                if (fd == wakeFd) {
                    posix.eventfdRead(wakeFd);
                } else {
                    ready.ready(fd, epoll.readyEvents(i), epoll.readyTag(i));
                }
            }
        }

        /** Makes an {@link #await} in progress, or the next one, return; nothing once closed. Any thread. */
        public void wake() {
            synchronized (this) {
                if (closed) {
                    return; // the number may be another descriptor's by now: writing to it would corrupt that
                }
                try {
                    posix.eventfdWrite(wakeFd, 1);
                } catch (PosixException e) {
                    LOG.log(Level.DEBUG, "waking an epoll set", e);
                }
            }
        }

        /** Closes the epoll set and the eventfd, once; never while a waiter is inside {@link #await}. */
        @Override
        public void close() throws PosixException {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            epoll.close();
            posix.close(wakeFd);
        }
    }

    // ---- interests (loop thread) ---------------------------------------------------------------------

    /** Watches {@code fd} for reading with {@code handle}, replacing (and cancelling) the previous reader. */
    public void addReader(int fd, CallbackHandle handle) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interest(fd);
        CallbackHandle previous = interest.reader;
        interest.reader = handle;
        try {
            arm(interest, handle);
        } finally {
            if (previous != null) {
                previous.cancel();
            }
        }
    }

    /** Watches {@code fd} for writing with {@code handle}, replacing (and cancelling) the previous writer. */
    public void addWriter(int fd, CallbackHandle handle) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interest(fd);
        CallbackHandle previous = interest.writer;
        interest.writer = handle;
        try {
            arm(interest, handle);
        } finally {
            if (previous != null) {
                previous.cancel();
            }
        }
    }

    /** Stops reading {@code fd}; whether there was a reader. */
    public boolean removeReader(int fd) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interests.get(fd);
        if (interest == null || interest.reader == null) {
            return false;
        }
        interest.reader.cancel();
        interest.reader = null;
        arm(interest, null);
        return true;
    }

    /** Stops writing {@code fd}; whether there was a writer. */
    public boolean removeWriter(int fd) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interests.get(fd);
        if (interest == null || interest.writer == null) {
            return false;
        }
        interest.writer.cancel();
        interest.writer = null;
        arm(interest, null);
        return true;
    }

    /** The generation {@code fd}'s registration carries now, or -1 when it is not watched (for tests). */
    public int generationOf(int fd) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interests.get(fd);
        return interest == null ? -1 : interest.generation;
    }

    /** How many descriptors are watched. */
    public int size() {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        return interests.size();
    }

    private Interest interest(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd);
        }
        return interests.computeIfAbsent(fd, number -> new Interest(number, ++generations));
    }

    // Said on the loop's next turn, not in the call that found it: a child watcher adds its readers under
    // the spawn gate (the pidfd watcher's addChildHandler), and a log handler is user code, which may wait
    // for a watcher switch that waits for the gate (StaleDescriptorWarningUnderTheSpawnGateTest).
    private void sayLater(Level level, String message) {
        loop.callSoon(() -> LOG.log(level, message));
    }

    // (Re-)arms the descriptor for what is still wanted; forgets it when nothing is. added: the callback
    // just added (null for a removal or a re-arming): the descriptor must be watched now or the caller
    // told why not.
    private void arm(Interest interest, CallbackHandle added) {
        int events = interest.events();
        int flags = oneShot ? Epoll.ONESHOT : 0;
        try {
            if (events == 0) {
                interests.remove(interest.fd);
                if (interest.registered) {
                    interest.registered = false;
                    epoll.delete(interest.fd);
                }
            } else if (interest.registered) {
                epoll.modify(interest.fd, events | flags, interest.generation);
            } else {
                epoll.add(interest.fd, events | flags, interest.generation);
                interest.registered = true;
            }
        } catch (PosixException e) {
            if (added == null) {
                // A removal or a re-arming of a descriptor closed behind our back: the kernel already
                // dropped it from the set, and its callbacks can never run again. A re-armed one stays
                // known as it was, as asyncio's selector keeps the key of a closed descriptor: removing
                // its reader says there was one, and an add on its number drops it, below.
                sayLater(Level.DEBUG, "fd " + interest.fd + " left the epoll set: " + e.getMessage());
                return;
            }
            if (interest.registered) {
                // Closed while watched (never removed), and its number open again: the set never heard of
                // the new descriptor, so the modify fails. The old registration's callbacks can never run:
                // they are dropped, named in a warning, and the descriptor at the number now is watched.
                // (asyncio's selector raises FileNotFoundError here, or with the same events silently
                // watches nothing; refusing once made a transport given the number lose its connection.)
                interest.registered = false;
                interest.generation = ++generations; // the descriptor at the number now is another
                if (interest.reader != added) {
                    cancel(interest.reader);
                    interest.reader = null;
                }
                if (interest.writer != added) {
                    cancel(interest.writer);
                    interest.writer = null;
                }
                arm(interest, added); // throws, nothing left watched, if nothing watchable is at the number
                sayLater(Level.WARNING, "File descriptor " + interest.fd + " was closed while the loop watched it"
                        + " (a reader or writer never removed): its callbacks are dropped, and the descriptor now at"
                        + " that number is watched");
                return;
            }
            // The callbacks were for a descriptor that is gone: they go with it, the one just added too.
            interests.remove(interest.fd);
            cancel(interest.reader);
            cancel(interest.writer);
            throw new IllegalArgumentException("Invalid file descriptor: " + interest.fd + " (" + e.getMessage() + ")", e);
        }
    }

    private static void cancel(CallbackHandle handle) {
        if (handle != null) {
            handle.cancel();
        }
    }

    /**
     * Puts the callbacks for what was seen on {@code fd} in the ready queue (asyncio's
     * {@code _process_events}); one-shot, a re-arming after them: the next readiness comes only after
     * the loop had its chance to consume this one. A readiness of an earlier {@code generation} of the
     * number is dropped. Loop thread.
     */
    public void deliver(int fd, int events, int generation) {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        Interest interest = interests.get(fd);
        if (interest == null || interest.generation != generation) {
            // Removed while the readiness travelled; or the descriptor closed and its number registered
            // again meanwhile: the readiness was the earlier descriptor's, and nothing of the new one's
            return;
        }
        if ((events & READABLE) != 0 && interest.reader != null) {
            scheduler.addReady(interest.reader);
        }
        if ((events & WRITABLE) != 0 && interest.writer != null) {
            scheduler.addReady(interest.writer);
        }
        if (oneShot) {
            scheduler.addReady(scheduler.newHandle(() -> rearm(interest)));
        }
    }

    private void rearm(Interest interest) {
        if (interests.get(interest.fd) == interest && interest.registered) {
            arm(interest, null);
        }
    }

    /**
     * Cancels every reader and writer and closes the epoll set and the eventfd; loop thread, when the
     * loop closes, after any waiter on another thread ended.
     */
    public void close() {
        assert loop.inLoopThreadOrIdle() : "the fd interests are the loop thread's";
        try {
            waiting.close();
        } catch (PosixException e) {
            LOG.log(Level.DEBUG, "closing the epoll set and wake-up eventfd of " + loop, e);
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
