package dev.loopkit.posix;

import dev.loopkit.posix.libc.LibC;
import jnr.constants.platform.Errno;
import jnr.ffi.Pointer;

/**
 * An epoll instance ({@code epoll_create1(EPOLL_CLOEXEC)}) with a native buffer for the events of
 * one {@link #await(int)}, allocated once. The data of each registration is its fd.
 *
 * <p>Not thread-safe, except that {@link #add}, {@link #modify} and {@link #delete} may be called
 * while another thread waits in {@link #await}, as epoll allows: that is how a loop registers a
 * reader from another thread before waking itself.
 */
public final class Epoll implements AutoCloseable {

    /** {@code EPOLLIN}: readable, or a pidfd whose process ended. */
    public static final int IN = 0x001;
    /** {@code EPOLLOUT}: writable. */
    public static final int OUT = 0x004;
    /** {@code EPOLLERR}: an error condition; always reported. */
    public static final int ERR = 0x008;
    /** {@code EPOLLHUP}: hang-up, e.g. every write end of a pipe closed; always reported. */
    public static final int HUP = 0x010;
    /** {@code EPOLLRDHUP}: the peer shut down writing. */
    public static final int RDHUP = 0x2000;
    /** {@code EPOLLONESHOT}: report once, then disable until {@link #modify}. */
    public static final int ONESHOT = 1 << 30;
    /** {@code EPOLLET}: edge-triggered. */
    public static final int ET = 1 << 31;

    private final Native nativeAccess;
    private final LibC libc;
    private final EpollEventLayout layout;
    private final int fd;
    private final int capacity;
    private final NativeMemory events;
    private volatile boolean closed;
    private int ready;

    private Epoll(Native nativeAccess, int fd, int capacity, NativeMemory events) {
        this.nativeAccess = nativeAccess;
        this.libc = nativeAccess.libc;
        this.layout = EpollEventLayout.NATIVE;
        this.fd = fd;
        this.capacity = capacity;
        this.events = events;
    }

    static Epoll open(Native nativeAccess, int capacity) throws PosixException {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        LibC libc = nativeAccess.libc;
        int fd = libc.epoll_create1(Linux.EPOLL_CLOEXEC);
        if (fd == -1) {
            throw nativeAccess.failure("epoll_create1");
        }
        try {
            NativeMemory events = NativeMemory.calloc(libc, (long) capacity * EpollEventLayout.NATIVE.size);
            return new Epoll(nativeAccess, fd, capacity, events);
        } catch (PosixException | RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    /** The epoll file descriptor. */
    public int fd() {
        return fd;
    }

    /** How many events one {@link #await} can report. */
    public int capacity() {
        return capacity;
    }

    /** {@code epoll_ctl(EPOLL_CTL_ADD)}: watch {@code fd} for {@code events} (e.g. {@link #IN}). */
    public void add(int fd, int events) throws PosixException {
        add(fd, events, 0);
    }

    /** {@link #add(int, int)}, its events carrying {@code tag} ({@link #readyTag}): which registration of the number they are for. */
    public void add(int fd, int events, int tag) throws PosixException {
        control(Linux.EPOLL_CTL_ADD, fd, events, tag, "add");
    }

    /** {@code epoll_ctl(EPOLL_CTL_MOD)}: watch {@code fd} for other events. */
    public void modify(int fd, int events) throws PosixException {
        modify(fd, events, 0);
    }

    /** {@link #modify(int, int)}, its events carrying {@code tag}. */
    public void modify(int fd, int events, int tag) throws PosixException {
        control(Linux.EPOLL_CTL_MOD, fd, events, tag, "modify");
    }

    /** {@code epoll_ctl(EPOLL_CTL_DEL)}: stop watching {@code fd}. */
    public void delete(int fd) throws PosixException {
        control(Linux.EPOLL_CTL_DEL, fd, 0, 0, "delete");
    }

    private void control(int operation, int fd, int events, int tag, String what) throws PosixException {
        ensureOpen();
        if (libc.epoll_ctl(this.fd, operation, fd, layout.event(events, fd, tag)) == -1) {
            throw nativeAccess.failure("epoll_ctl " + what + " " + fd);
        }
    }

    /**
     * {@code epoll_wait}: waits up to {@code timeoutMillis} ({@code -1}: forever, {@code 0}: not at all)
     * for events, and returns how many are ready, to be read with {@link #readyFd} and
     * {@link #readyEvents}. A signal that interrupts the wait ({@code EINTR}) returns 0, as asyncio's
     * selector does: the caller computes its timeout again.
     */
    public int await(int timeoutMillis) throws PosixException {
        ensureOpen();
        ready = 0;
        int count = libc.epoll_wait(fd, events.pointer(), capacity, timeoutMillis);
        if (count == -1) {
            int errno = nativeAccess.errno();
            if (errno == Errno.EINTR.intValue()) {
                return 0;
            }
            throw PosixException.ofCall(errno, "epoll_wait " + fd);
        }
        ready = count;
        return count;
    }

    /** The fd of the {@code index}-th ready entry of the last {@link #await}. */
    public int readyFd(int index) {
        return entry().getInt(offset(index) + layout.dataOffset);
    }

    /** The tag the {@code index}-th ready entry's descriptor was added or modified with. */
    public int readyTag(int index) {
        return entry().getInt(offset(index) + layout.dataOffset + Integer.BYTES);
    }

    /** The events (a mask of {@link #IN}, {@link #OUT}, ...) of the {@code index}-th ready entry. */
    public int readyEvents(int index) {
        return entry().getInt(offset(index));
    }

    private Pointer entry() {
        ensureOpen();
        return events.pointer();
    }

    private long offset(int index) {
        if (index < 0 || index >= ready) {
            throw new IndexOutOfBoundsException("ready entry " + index + " of " + ready);
        }
        return (long) index * layout.size;
    }

    /** Closes the epoll fd and frees the event buffer; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = 0;
        libc.close(fd);
        events.close();
    }

    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            // Python's words for select.epoll
            throw new IllegalStateException("I/O operation on closed epoll object");
        }
    }

    @Override
    public String toString() {
        return "Epoll[fd=" + fd + (closed ? ", closed" : "") + "]";
    }
}
