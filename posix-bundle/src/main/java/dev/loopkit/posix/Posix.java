package dev.loopkit.posix;

import dev.loopkit.posix.libc.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import jnr.constants.platform.Errno;
import jnr.constants.platform.Signal;

/**
 * The POSIX calls Loopkit needs, on Linux, through jnr-ffi: pipes and non-blocking I/O, eventfd,
 * epoll, {@code posix_spawn}, {@code waitpid}/{@code waitid}, pidfds, signals. Each method names
 * the libc call it wraps. Failures are {@link PosixException}s carrying errno; {@code EINTR} is
 * retried (PEP 475) except where a method says otherwise.
 *
 * <p>One instance per class loader ({@link #get()}); thread-safe. Process ids are {@code long}
 * as in the rest of Loopkit; Linux's are {@code int}.
 */
public final class Posix {

    private static final int EINTR = Errno.EINTR.intValue();
    private static final int EAGAIN = Errno.EAGAIN.intValue(); // EWOULDBLOCK on Linux
    private static final int POLLIN = 0x001;
    /** The environment variable that turns pidfds off: {@code LOOPKIT_PIDFD=off}. */
    public static final String PIDFD_SWITCH = "LOOPKIT_PIDFD";

    /**
     * The most of a heap buffer one {@link #write} offers. jnr-ffi passes a heap buffer through a native copy
     * of its whole {@code [position, limit)} at every call, whatever the descriptor takes: a 64 MiB write
     * drained through a pipe 64 KiB at a time copied its rest again at each of ~1,000 calls (10 to 13 s;
     * asyncio 0.08 s). A quarter MiB is four times a pipe's default capacity.
     */
    public static final int HEAP_WRITE_AT_MOST = 256 * 1024;

    private final Native nativeAccess;
    private final LibC libc;
    private final Spawner spawner;
    private final Sockets sockets;
    private final ChannelDescriptors channelDescriptors;
    /** {@code ""} when pidfds work, else why not; computed on first use. */
    private volatile String pidfdProbe;

    private Posix(Native nativeAccess) {
        this.nativeAccess = nativeAccess;
        this.libc = nativeAccess.libc;
        this.spawner = new Spawner(nativeAccess);
        this.sockets = new Sockets(nativeAccess);
        this.channelDescriptors = new ChannelDescriptors(this);
    }

    private static final class Singleton {
        static final Posix INSTANCE = new Posix(Native.instance());
    }

    /**
     * The instance, binding libc on first use.
     *
     * @throws UnsupportedOperationException with the reason when native access is unavailable
     */
    public static Posix get() {
        String reason = Native.unavailableReason();
        if (reason != null) {
            throw new UnsupportedOperationException(reason);
        }
        return Singleton.INSTANCE;
    }

    /** Whether {@link #get()} works here. */
    public static boolean isAvailable() {
        return Native.unavailableReason() == null;
    }

    /** Why {@link #get()} does not work here, or {@code null} when it does. */
    public static String unavailableReason() {
        return Native.unavailableReason();
    }

    /** Stream sockets on raw descriptors: TCP (IPv4, IPv6) and Unix-domain. */
    public Sockets sockets() {
        return sockets;
    }

    /** A {@code writev(2)} array of {@code capacity} entries, to be closed by its owner. */
    public IoVector ioVector(int capacity) throws PosixException {
        return new IoVector(this, nativeAccess, capacity);
    }

    // ---- file descriptors

    /** {@code pipe2(O_CLOEXEC)}: a new pipe, {@code {read end, write end}}, not inherited by exec'd programs. */
    public int[] pipe() throws PosixException {
        int[] fds = new int[2];
        if (libc.pipe2(fds, Linux.O_CLOEXEC) == -1) {
            throw nativeAccess.failure("pipe2");
        }
        return fds;
    }

    /** {@code fcntl(F_GETFL)} then {@code fcntl(F_SETFL)}: sets or clears {@code O_NONBLOCK}. */
    public void setNonBlocking(int fd, boolean on) throws PosixException {
        int flags = libc.fcntl(fd, Linux.F_GETFL, 0);
        if (flags == -1) {
            throw nativeAccess.failure("fcntl F_GETFL " + fd);
        }
        int wanted = on ? flags | Linux.O_NONBLOCK : flags & ~Linux.O_NONBLOCK;
        if (wanted != flags && libc.fcntl(fd, Linux.F_SETFL, wanted) == -1) {
            throw nativeAccess.failure("fcntl F_SETFL " + fd);
        }
    }

    /**
     * {@code read(2)} into {@code dst[position, limit)}, advancing its position. Direct buffers are
     * read into in place, heap buffers through a copy jnr-ffi makes.
     *
     * @return the number of bytes read; 0 at end of file (or when {@code dst} has no room);
     *         -1 when the fd is non-blocking and nothing is there ({@code EAGAIN})
     */
    public int read(int fd, ByteBuffer dst) throws PosixException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        ByteBuffer into = ReadScratch.into(dst);
        while (true) {
            long count = libc.read(fd, into, into.remaining());
            if (count >= 0) {
                ReadScratch.read(into, dst, (int) count);
                return (int) count;
            }
            if (!nativeAccess.retryUnlessWouldBlock(errno -> PosixException.ofCall(errno, "read " + fd))) {
                return -1;
            }
        }
    }

    /**
     * {@code write(2)} of {@code src[position, limit)}, advancing its position by what was written.
     *
     * @return the number of bytes written, maybe fewer than remained (at most {@link #HEAP_WRITE_AT_MOST} of a
     *         heap buffer); -1 when the fd is non-blocking
     *         and full ({@code EAGAIN})
     */
    public int write(int fd, ByteBuffer src) throws PosixException {
        ByteBuffer source = passable(src.isDirect() || src.remaining() <= HEAP_WRITE_AT_MOST ? src
                : src.duplicate().limit(src.position() + HEAP_WRITE_AT_MOST));
        while (true) {
            long count = libc.write(fd, source, source.remaining());
            if (count >= 0) {
                src.position(src.position() + (int) count);
                return (int) count;
            }
            if (!nativeAccess.retryUnlessWouldBlock(errno -> PosixException.ofCall(errno, "write " + fd))) {
                return -1;
            }
        }
    }

    /** {@code src}, or a copy of its remaining bytes when jnr-ffi cannot pass it (a heap buffer by its array, which a read-only one does not give out). */
    static ByteBuffer passable(ByteBuffer src) {
        return src.isReadOnly() && !src.isDirect() ? ByteBuffer.allocate(src.remaining()).put(src.duplicate()).flip() : src;
    }

    /** {@code close(2)}. {@code EINTR} counts as closed: Linux has released the fd by then (PEP 475). */
    public void close(int fd) throws PosixException {
        if (libc.close(fd) == -1) {
            int errno = nativeAccess.errno();
            if (errno != EINTR) {
                throw PosixException.ofCall(errno, "close " + fd);
            }
        }
    }

    /** {@link #close(int)} for this bundle's clean-ups: a negative number is none, and a failure is ignored. */
    void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            close(fd);
        } catch (PosixException alreadyGone) {
            // nothing more to release
        }
    }

    /**
     * {@code open(path, O_RDONLY or O_WRONLY | O_NONBLOCK | O_CLOEXEC)}: a FIFO's end (or any file)
     * opened without waiting for the other end; a FIFO's write end fails with {@code ENXIO} while no
     * one has it open for reading.
     */
    public int openNonBlocking(String path, boolean forWriting) throws PosixException {
        int fd = libc.open(path, (forWriting ? Linux.O_WRONLY : Linux.O_RDONLY) | Linux.O_NONBLOCK | Linux.O_CLOEXEC);
        if (fd == -1) {
            throw nativeAccess.failure("open " + path);
        }
        return fd;
    }

    /**
     * {@code sendfile(2)}: up to {@code count} bytes of the file {@code inFd} from {@code offset} to
     * {@code outFd}, in the kernel (the bytes never reach user space); the file's own offset is left
     * alone. {@code EINTR} is retried.
     *
     * @return the number of bytes sent, maybe fewer than {@code count}; 0 at the end of the file; -1
     *         when {@code outFd} is non-blocking and full ({@code EAGAIN})
     * @throws PosixException e.g. {@code EINVAL} when {@code inFd} is no file sendfile can read (a
     *         socket, a pipe), {@code EPIPE} or {@code ECONNRESET} when the peer went away
     */
    public long sendfile(int outFd, int inFd, long offset, long count) throws PosixException {
        long[] at = {offset};
        while (true) {
            long sent = libc.sendfile(outFd, inFd, at, count);
            if (sent >= 0) {
                return sent;
            }
            int errno = nativeAccess.errno();
            if (errno == EAGAIN) {
                return -1;
            }
            if (errno != EINTR) {
                throw PosixException.ofCall(errno, "sendfile " + inFd + " to " + outFd);
            }
        }
    }

    /**
     * A new descriptor (close-on-exec) of the open file behind a JDK {@code FileChannel}, which the
     * JDK does not give out: found through {@code /proc/self/fd} by moving the channel's position
     * ({@link ChannelDescriptors} says how), which is put back before this returns. The caller closes
     * it; it shares the channel's file offset, so read it with offsets ({@link #sendfile} does).
     *
     * @return the new descriptor, or -1 when none of this process's descriptors is the channel's (a
     *         {@code FileChannel} of no descriptor, a file system that refuses far positions)
     * @throws IOException when the channel is closed
     */
    public int duplicateDescriptor(FileChannel file) throws IOException {
        return channelDescriptors.duplicate(file);
    }

    /** {@code fcntl(F_DUPFD_CLOEXEC)}: a new descriptor of the same open file, or -1 when {@code fd} is not open. */
    int duplicateDescriptor(int fd) {
        return libc.fcntl(fd, Linux.F_DUPFD_CLOEXEC, 0);
    }

    /** {@code lseek(fd, 0, SEEK_CUR)}: the file offset of {@code fd}, or -1 where it has none (a socket, a pipe) or is closed. */
    public long seekPosition(int fd) {
        return libc.lseek(fd, 0, Linux.SEEK_CUR);
    }

    /** Whether {@code fd} is an open file descriptor: {@code fcntl(fd, F_GETFD) != -1}. */
    public boolean isOpen(int fd) {
        return libc.fcntl(fd, Linux.F_GETFD, 0) != -1;
    }

    /** {@code eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)}: a counter to wake a loop with. */
    public int eventfd() throws PosixException {
        int fd = libc.eventfd(0, Linux.EFD_CLOEXEC | Linux.EFD_NONBLOCK);
        if (fd == -1) {
            throw nativeAccess.failure("eventfd");
        }
        return fd;
    }

    /** {@code eventfd_write}: adds {@code value} to the counter, making the fd readable. */
    public void eventfdWrite(int fd, long value) throws PosixException {
        while (libc.eventfd_write(fd, value) == -1) {
            int errno = nativeAccess.errno();
            if (errno != EINTR) {
                throw PosixException.ofCall(errno, "eventfd_write " + fd);
            }
        }
    }

    /** {@code eventfd_read}: takes the counter and resets it; 0 when there was nothing ({@code EAGAIN}). */
    public long eventfdRead(int fd) throws PosixException {
        long[] value = new long[1];
        while (libc.eventfd_read(fd, value) == -1) {
            int errno = nativeAccess.errno();
            if (errno == EAGAIN) {
                return 0;
            }
            if (errno != EINTR) {
                throw PosixException.ofCall(errno, "eventfd_read " + fd);
            }
        }
        return value[0];
    }

    /**
     * {@code poll(2)} for readability: waits until one of {@code fds} is readable (or hung up, or in
     * error) and returns its index, or -1 when {@code timeoutMillis} passed (-1: no limit).
     * Interrupted waits are resumed.
     */
    public int awaitReadable(int[] fds, int timeoutMillis) throws PosixException {
        int[] pollFds = new int[fds.length * 2];
        for (int i = 0; i < fds.length; i++) {
            pollFds[2 * i] = fds[i];
            pollFds[2 * i + 1] = POLLIN; // events in the low half (little-endian), revents in the high half
        }
        int ready;
        while ((ready = libc.poll(pollFds, fds.length, timeoutMillis)) == -1) {
            int errno = nativeAccess.errno();
            if (errno != EINTR) {
                throw PosixException.ofCall(errno, "poll");
            }
        }
        if (ready == 0) {
            return -1;
        }
        for (int i = 0; i < fds.length; i++) {
            if ((pollFds[2 * i + 1] >>> 16) != 0) {
                return i;
            }
        }
        return -1;
    }

    // ---- epoll

    /** {@code epoll_create1(EPOLL_CLOEXEC)}, with room for {@code capacity} events per {@link Epoll#await}. */
    public Epoll epoll(int capacity) throws PosixException {
        return Epoll.open(nativeAccess, capacity);
    }

    // ---- processes

    /**
     * {@code posix_spawnp} (or {@code posix_spawn} without {@link SpawnSpec#searchPath()}) of
     * {@code spec}, with the file actions and attributes it asks for.
     *
     * @return the child's pid
     * @throws PosixException when nothing was started, e.g. errno ENOENT with the message
     *         {@code No such file or directory: 'nosuchprog'}
     * @throws UnsupportedOperationException when glibc is too old for {@link SpawnSpec#cwd()} (2.29)
     *         or {@link SpawnSpec#closeOtherFds()} (2.34)
     */
    public long spawn(SpawnSpec spec) throws PosixException {
        return spawner.spawn(spec);
    }

    /**
     * {@code waitpid(pid, &status, noHang ? WNOHANG : 0)}: reaps the child {@code pid}.
     *
     * @return its pid and return code, or {@code null} when {@code noHang} and it still runs
     * @throws PosixException ECHILD when {@code pid} is no child of this process (or already reaped)
     */
    public WaitStatus waitpid(long pid, boolean noHang) throws PosixException {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid);
        }
        return waitpid(pid, noHang, "waitpid " + pid);
    }

    /**
     * {@code waitpid(-1, &status, noHang ? WNOHANG : 0)}: reaps any child, including those another
     * part of the JVM (e.g. {@link ProcessBuilder}) waits for.
     *
     * @return the child's pid and return code, or {@code null} when {@code noHang} and none has ended
     * @throws PosixException ECHILD when this process has no child
     */
    public WaitStatus waitpidAny(boolean noHang) throws PosixException {
        return waitpid(-1, noHang, "waitpid -1");
    }

    private WaitStatus waitpid(long pid, boolean noHang, String call) throws PosixException {
        int[] status = new int[1];
        while (true) {
            int reaped = libc.waitpid(toPidT(pid), status, noHang ? Linux.WNOHANG : 0);
            if (reaped > 0) {
                return new WaitStatus(reaped, returncode(status[0]));
            }
            if (reaped == 0) {
                return null;
            }
            int errno = nativeAccess.errno();
            if (errno != EINTR) {
                throw PosixException.ofCall(errno, call);
            }
        }
    }

    /**
     * {@code waitid(P_PID, pid, &info, WEXITED | ...)}: the child {@code pid} that ended; with
     * {@code noWait} ({@code WNOWAIT}) it stays a zombie, to be reaped by a later wait.
     *
     * @return its pid and return code, or {@code null} when {@code noHang} ({@code WNOHANG}) and it still runs
     * @throws PosixException ECHILD when {@code pid} is no child of this process (or already reaped)
     */
    public WaitStatus waitid(long pid, boolean noHang, boolean noWait) throws PosixException {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid);
        }
        return waitid(Linux.P_PID, toPidT(pid), noHang, noWait);
    }

    /**
     * {@code waitid(P_PIDFD, pidfd, &info, WEXITED | ...)} (Linux 5.4): as {@link #waitid(long, boolean, boolean)}
     * for the child a pidfd refers to.
     */
    public WaitStatus waitidPidfd(int pidfd, boolean noHang, boolean noWait) throws PosixException {
        return waitid(Linux.P_PIDFD, pidfd, noHang, noWait);
    }

    // The failure names the call; it is made only then: an exit is reaped on a path that runs cold (after an idle wait).
    private WaitStatus waitid(int idType, int id, boolean noHang, boolean noWait) throws PosixException {
        int options = Linux.WEXITED | (noHang ? Linux.WNOHANG : 0) | (noWait ? Linux.WNOWAIT : 0);
        while (true) {
            // zeroed each time: with WNOHANG and no child ready, waitid returns 0 and leaves si_pid 0
            int[] info = new int[Linux.SIGINFO_INTS];
            if (libc.waitid(idType, id, info, options) == 0) {
                int pid = info[Linux.SIGINFO_PID];
                return pid == 0 ? null : new WaitStatus(pid, returncode(info[Linux.SIGINFO_CODE], info[Linux.SIGINFO_STATUS]));
            }
            int errno = nativeAccess.errno();
            if (errno != EINTR) {
                throw PosixException.ofCall(errno, (idType == Linux.P_PIDFD ? "waitid P_PIDFD " : "waitid P_PID ") + id);
            }
        }
    }

    /**
     * {@code pidfd_open(pid, 0)} (syscall 434, Linux 5.3): a file descriptor for the process
     * {@code pid}, close-on-exec, readable ({@link Epoll#IN}) once it has ended.
     *
     * @throws PosixException ESRCH when there is no such process (e.g. already reaped)
     */
    public int pidfdOpen(long pid) throws PosixException {
        long fd = libc.syscall(Linux.SYS_PIDFD_OPEN, toPidT(pid), 0, 0, 0);
        if (fd == -1) {
            throw nativeAccess.failure("pidfd_open " + pid);
        }
        return (int) fd;
    }

    /**
     * Whether pidfds work here: probed once as CPython's {@code can_use_pidfd()} does, by
     * {@code pidfd_open(getpid())} and {@code close}. Old kernels say ENOSYS, sandboxes EPERM. The
     * environment variable {@value #PIDFD_SWITCH}{@code =off} makes it false, as on a kernel without
     * them (to run a host, or the tests, the way such a machine would).
     */
    public boolean pidfdSupported() {
        return pidfdProbe().isEmpty();
    }

    /** Why {@link #pidfdSupported()} is false, or {@code null} when it is true. */
    public String pidfdUnsupportedReason() {
        String probe = pidfdProbe();
        return probe.isEmpty() ? null : probe;
    }

    private String pidfdProbe() {
        String probe = pidfdProbe;
        if (probe == null) {
            String off = EnvironmentSwitch.switchedOff(PIDFD_SWITCH);
            if (off != null) {
                probe = off;
            } else {
                try {
                    close(pidfdOpen(getpid()));
                    probe = "";
                } catch (PosixException e) {
                    probe = "pidfd_open does not work here: " + e.getMessage();
                }
            }
            pidfdProbe = probe;
        }
        return probe;
    }

    /**
     * {@code kill(pid, signal)}.
     *
     * @throws PosixException ESRCH when there is no such process (Python's {@code ProcessLookupError})
     */
    public void kill(long pid, int signal) throws PosixException {
        if (libc.kill(toPidT(pid), signal) == -1) {
            throw nativeAccess.failure("kill " + pid + " " + describeSignal(signal));
        }
    }

    /**
     * {@code pidfd_send_signal(pidfd, signal, NULL, 0)} (syscall 424, Linux 5.1): as {@link #kill}, but
     * immune to pid reuse.
     *
     * @throws PosixException ESRCH when the process has ended
     */
    public void pidfdSendSignal(int pidfd, int signal) throws PosixException {
        if (libc.syscall(Linux.SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0) == -1) {
            throw nativeAccess.failure("pidfd_send_signal " + pidfd + " " + describeSignal(signal));
        }
    }

    /** glibc's {@code SIGRTMIN} at run time (34: glibc keeps 32 and 33 for its threads). */
    public int sigrtmin() {
        return libc.__libc_current_sigrtmin();
    }

    /** glibc's {@code SIGRTMAX} at run time (64). */
    public int sigrtmax() {
        return libc.__libc_current_sigrtmax();
    }

    /**
     * A new {@link SignalPipe}: how signals the JVM has no name for (the real-time ones) are caught.
     *
     * @throws UnsupportedOperationException when the platform is not x86-64
     */
    public SignalPipe openSignalPipe() throws PosixException {
        return SignalPipe.open(nativeAccess, this);
    }

    /** {@code getpid()}: this JVM's process id. */
    public long getpid() {
        return libc.getpid();
    }

    // ---- status and signal numbers (no native call)

    /**
     * asyncio's return code of a {@code waitpid} status (CPython's {@code waitstatus_to_exitcode},
     * lenient as asyncio's {@code _compute_returncode} was): exited gives the exit status
     * ({@code WEXITSTATUS}, {@code >= 0}), killed by a signal gives {@code -WTERMSIG}, anything else
     * (e.g. a stopped child, {@code 0x137f}) is returned unchanged.
     */
    public static int returncode(int waitStatus) {
        int termSignal = waitStatus & 0x7f;
        if (termSignal == 0) { // WIFEXITED
            return (waitStatus >> 8) & 0xff;
        }
        if (termSignal != 0x7f) { // WIFSIGNALED: neither exited nor stopped/continued
            return -termSignal;
        }
        return waitStatus;
    }

    /** The return code of a {@code siginfo_t} of SIGCHLD: {@code si_status} for CLD_EXITED, {@code -si_status} when killed. */
    static int returncode(int code, int status) {
        if (code == Linux.CLD_EXITED) {
            return status;
        }
        if (code == Linux.CLD_KILLED || code == Linux.CLD_DUMPED) {
            return -status;
        }
        return status;
    }

    /**
     * The number of the signal {@code name} on this platform (jnr-constants), e.g.
     * {@code signal("SIGCHLD") == 17} on Linux; the {@code SIG} prefix may be left out.
     *
     * @throws IllegalArgumentException for a name this platform does not know
     */
    public static int signal(String name) {
        String full = name.startsWith("SIG") ? name : "SIG" + name;
        Signal signal;
        try {
            signal = Signal.valueOf(full);
        } catch (IllegalArgumentException e) {
            signal = null;
        }
        if (signal == null || !signal.defined()) {
            throw new IllegalArgumentException("unknown signal name: '" + name + "'");
        }
        return signal.intValue();
    }

    /**
     * The name of signal {@code number} on this platform, e.g. {@code "SIGCHLD"} for 17 on Linux.
     *
     * @throws IllegalArgumentException for a number this platform does not name
     */
    public static String signalName(int number) {
        return SignalNames.nameOf(number);
    }

    private static String describeSignal(int signal) {
        try {
            return signalName(signal);
        } catch (IllegalArgumentException e) {
            return "signal " + signal;
        }
    }

    /** Linux pids fit an int; a larger value is a caller's mistake, not a pid. */
    private static int toPidT(long pid) {
        if (pid < Integer.MIN_VALUE || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a pid: " + pid);
        }
        return (int) pid;
    }
}
