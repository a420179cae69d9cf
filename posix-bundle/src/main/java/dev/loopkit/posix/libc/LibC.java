package dev.loopkit.posix.libc;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.pid_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc functions Loopkit calls, bound by jnr-ffi; {@code dev.loopkit.posix.Posix} is the only
 * user. Not API: the module opens the package (exports it at run time only) because jnr-ffi defines
 * the implementation in a class loader of its own, which must see this interface; OSGi bundles do
 * not see it at all.
 *
 * <p>Functions that report failure as {@code -1} and {@code errno} save errno ({@link SaveError});
 * the {@code posix_spawn*} family returns the error number itself and needs no errno.
 * {@code pid_t} is an {@code int} on Linux; opaque structs are {@link Pointer}s to memory the caller
 * allocates with {@link #calloc} and releases with {@link #free}.
 */
public interface LibC {

    // memory for opaque structs and string arrays, released deterministically
    @IgnoreError
    Pointer calloc(@size_t long count, @size_t long size);

    @IgnoreError
    void free(Pointer memory);

    // file descriptors
    @SaveError
    int pipe2(@Out int[] fds, int flags);

    @SaveError
    int fcntl(int fd, int command, int argument);

    /** Reads into {@code buffer[position..limit)}; jnr-ffi passes heap buffers through a temporary copy. */
    @SaveError
    @ssize_t
    long read(int fd, @Out ByteBuffer buffer, @size_t long count);

    @SaveError
    @ssize_t
    long write(int fd, @In ByteBuffer buffer, @size_t long count);

    @SaveError
    int close(int fd);

    /** {@code off_t} is 64 bits on LP64 Linux; {@code whence} is {@code SEEK_SET} 0, {@code SEEK_CUR} 1. */
    @SaveError
    long lseek(int fd, long offset, int whence);

    /**
     * Sends from {@code inFd} at {@code offset[0]} (which the kernel advances) to {@code outFd}; the
     * input file's own offset is left alone. {@code offset} is an {@code off_t*}: a one-element array.
     */
    @SaveError
    @ssize_t
    long sendfile(int outFd, int inFd, @In @Out long[] offset, @size_t long count);

    /** Without {@code O_CREAT}, so without the variadic mode. */
    @SaveError
    int open(String path, int flags);

    @SaveError
    int eventfd(int initialValue, int flags);

    @SaveError
    int eventfd_read(int fd, @Out long[] value);

    @SaveError
    int eventfd_write(int fd, long value);

    // poll: each struct pollfd is {int fd; short events; short revents}, passed as two ints per entry
    @SaveError
    int poll(@In @Out int[] pollFds, long count, int timeoutMillis);

    // epoll: the event is a 12-byte packed struct on x86_64 and a 16-byte one elsewhere, see EpollEventLayout
    @SaveError
    int epoll_create1(int flags);

    @SaveError
    int epoll_ctl(int epollFd, int operation, int fd, @In int[] event);

    @SaveError
    int epoll_wait(int epollFd, Pointer events, int maxEvents, int timeoutMillis);

    // sockets: addresses are struct sockaddr bytes the caller encodes (see SocketAddresses)
    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, @In byte[] address, int addressLength);

    @SaveError
    int listen(int fd, int backlog);

    @SaveError
    int accept4(int fd, @Out byte[] address, @In @Out int[] addressLength, int flags);

    @SaveError
    int connect(int fd, @In byte[] address, int addressLength);

    @SaveError
    int getsockname(int fd, @Out byte[] address, @In @Out int[] addressLength);

    @SaveError
    int getpeername(int fd, @Out byte[] address, @In @Out int[] addressLength);

    /** Options are {@code int}s, or {@code struct linger} as two. */
    @SaveError
    int getsockopt(int fd, int level, int name, @Out int[] value, @In @Out int[] valueLength);

    @SaveError
    int setsockopt(int fd, int level, int name, @In int[] value, int valueLength);

    @SaveError
    int shutdown(int fd, int how);

    /** {@code address} may be {@code null} (length 0): a connected socket's peer. */
    @SaveError
    @ssize_t
    long sendto(int fd, @In ByteBuffer buffer, @size_t long count, int flags, @In byte[] address, int addressLength);

    @SaveError
    @ssize_t
    long recvfrom(int fd, @Out ByteBuffer buffer, @size_t long count, int flags, @Out byte[] address,
            @In @Out int[] addressLength);

    /** {@code iov}: {@code struct iovec {void *base; size_t length;}} entries in memory the caller owns. */
    @SaveError
    @ssize_t
    long writev(int fd, Pointer iov, int count);

    // processes: posix_spawn and its attribute objects return an error number, never set errno
    @IgnoreError
    int posix_spawn(@Out int[] pid, @In byte[] path, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp);

    @IgnoreError
    int posix_spawnp(@Out int[] pid, @In byte[] file, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp);

    @IgnoreError
    int posix_spawn_file_actions_init(Pointer fileActions);

    @IgnoreError
    int posix_spawn_file_actions_destroy(Pointer fileActions);

    @IgnoreError
    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    @IgnoreError
    int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int openFlags, int mode);

    /** glibc 2.29 and later. */
    @IgnoreError
    int posix_spawn_file_actions_addchdir_np(Pointer fileActions, @In byte[] path);

    /** glibc 2.34 and later. */
    @IgnoreError
    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int lowFd);

    @IgnoreError
    int posix_spawnattr_init(Pointer attributes);

    @IgnoreError
    int posix_spawnattr_destroy(Pointer attributes);

    @IgnoreError
    int posix_spawnattr_setflags(Pointer attributes, short flags);

    @IgnoreError
    int posix_spawnattr_setpgroup(Pointer attributes, @pid_t int processGroup);

    @IgnoreError
    int posix_spawnattr_setsigmask(Pointer attributes, Pointer signalSet);

    @IgnoreError
    int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signalSet);

    @SaveError
    int sigemptyset(Pointer signalSet);

    /**
     * {@code char **environ}: the parent's environment, what a child inherits when no environment is
     * given. Read as a C {@code long} (an address on LP64): jnr-ffi 2.2.19 generates an unverifiable
     * accessor for a {@code Variable<Pointer>}.
     */
    jnr.ffi.Variable<Long> environ();

    @SaveError
    @pid_t
    int waitpid(@pid_t int pid, @Out int[] status, int options);

    /** {@code siginfo_t} as 32 ints (128 bytes): copied in (zeroed, as WNOHANG needs) and out. */
    @SaveError
    int waitid(int idType, int id, int[] info, int options);

    @SaveError
    int kill(@pid_t int pid, int signal);

    @IgnoreError
    @pid_t
    int getpid();

    /** {@code struct sigaction} (152 bytes) in memory the caller allocates; {@code oldAction} may be {@code null}. */
    @SaveError
    int sigaction(int signal, Pointer action, Pointer oldAction);

    /** glibc's {@code SIGRTMIN} at run time: 34, as glibc keeps 32 and 33 for its threads. */
    @IgnoreError
    int __libc_current_sigrtmin();

    @IgnoreError
    int __libc_current_sigrtmax();

    // pages for code that runs in a signal handler; MAP_FAILED is the address -1
    @SaveError
    Pointer mmap(Pointer address, @size_t long length, int protection, int flags, int fd, long offset);

    @SaveError
    int mprotect(Pointer address, @size_t long length, int protection);

    @SaveError
    int munmap(Pointer address, @size_t long length);

    /**
     * {@code syscall(2)}, for pidfd_open and pidfd_send_signal, which glibc wraps only from 2.36 on.
     * Variadic in C; unused trailing arguments are harmless on x86_64 and aarch64.
     */
    @SaveError
    long syscall(long number, long arg1, long arg2, long arg3, long arg4);
}
