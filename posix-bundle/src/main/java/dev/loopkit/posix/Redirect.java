package dev.loopkit.posix;

/**
 * Where a child's standard stream (0, 1 or 2) goes: asyncio's {@code None} ({@link #INHERIT}),
 * {@code subprocess.DEVNULL} ({@link #DEVNULL}), or a file descriptor of the parent
 * ({@link #fd(int)}), e.g. one end of a {@link Posix#pipe()}.
 */
public final class Redirect {

    /** The child shares the parent's stream. */
    public static final Redirect INHERIT = new Redirect(Kind.INHERIT, -1);
    /** The child gets {@code /dev/null}, opened read-write. */
    public static final Redirect DEVNULL = new Redirect(Kind.DEVNULL, -1);

    enum Kind { INHERIT, DEVNULL, FD }

    private final Kind kind;
    private final int fd;

    private Redirect(Kind kind, int fd) {
        this.kind = kind;
        this.fd = fd;
    }

    /**
     * The parent's {@code fd}, duplicated onto the child's stream ({@code dup2}); the parent keeps its
     * own. Streams are set in the order stdin, stdout, stderr, so a parent fd of 0-2 given for another
     * stream may already have been replaced (pipes from {@link Posix#pipe()} are never 0-2 in a JVM,
     * whose 0-2 stay open). The same fd as the stream itself is kept as it is.
     */
    public static Redirect fd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must be >= 0: " + fd);
        }
        return new Redirect(Kind.FD, fd);
    }

    Kind kind() {
        return kind;
    }

    /** The parent's file descriptor of {@link #fd(int)}; {@code -1} for INHERIT and DEVNULL. */
    public int parentFd() {
        return fd;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Redirect that && kind == that.kind && fd == that.fd;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + fd;
    }

    @Override
    public String toString() {
        return kind == Kind.FD ? "fd " + fd : kind.name();
    }
}
