package dev.loopkit.posix;

/**
 * Linux's numbers for the flags Loopkit passes to libc. They are the same on x86_64 and aarch64
 * (both use the generic values); errno and signal numbers come from jnr-constants instead.
 */
final class Linux {

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 01;
    static final int O_RDWR = 02;
    static final int O_NONBLOCK = 04000;
    static final int O_CLOEXEC = 02000000;

    static final int F_GETFD = 1;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int SEEK_CUR = 1;

    static final int EFD_NONBLOCK = O_NONBLOCK;
    static final int EFD_CLOEXEC = O_CLOEXEC;

    static final int EPOLL_CLOEXEC = O_CLOEXEC;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;

    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = O_NONBLOCK;
    static final int SOCK_CLOEXEC = O_CLOEXEC;
    static final int SHUT_WR = 1;

    static final int WNOHANG = 1;
    static final int WEXITED = 4;
    static final int WNOWAIT = 0x01000000;
    static final int P_PID = 1;
    static final int P_PIDFD = 3;
    /** {@code siginfo_t.si_code} for SIGCHLD. */
    static final int CLD_EXITED = 1;
    static final int CLD_KILLED = 2;
    static final int CLD_DUMPED = 3;

    static final short POSIX_SPAWN_SETPGROUP = 0x02;
    static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    static final short POSIX_SPAWN_SETSID = 0x80;

    /** The generic syscall table, shared by x86_64 and aarch64 from 424 on. */
    static final long SYS_PIDFD_SEND_SIGNAL = 424;
    static final long SYS_PIDFD_OPEN = 434;

    /** glibc's {@code sigset_t} is 1024 bits; the opaque spawn structs are smaller than 1 KiB. */
    static final int SIGSET_BYTES = 128;
    static final int OPAQUE_STRUCT_BYTES = 1024;
    /** {@code siginfo_t} is 128 bytes; for SIGCHLD: si_code at byte 8, si_pid at 16, si_status at 24. */
    static final int SIGINFO_INTS = 32;
    static final int SIGINFO_CODE = 2;
    static final int SIGINFO_PID = 4;
    static final int SIGINFO_STATUS = 6;

    /** glibc's {@code struct sigaction}: handler at 0, {@code sa_mask} (128 bytes) at 8, {@code sa_flags} at 136, restorer at 144. */
    static final int SIGACTION_BYTES = 152;
    static final int SIGACTION_FLAGS = 8 + SIGSET_BYTES;
    /** Interrupted system calls restart: the JVM's threads do not expect EINTR from a signal they never asked for. */
    static final int SA_RESTART = 0x10000000;

    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int PROT_EXEC = 4;
    static final int MAP_PRIVATE = 0x02;
    static final int MAP_ANONYMOUS = 0x20;

    private Linux() {
    }
}
