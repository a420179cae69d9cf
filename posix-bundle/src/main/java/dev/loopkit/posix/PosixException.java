package dev.loopkit.posix;

import java.io.IOException;
import jnr.constants.platform.Errno;

/**
 * A libc call failed: Python's {@code OSError} and its subclasses ({@code FileNotFoundError},
 * {@code ChildProcessError}, {@code ProcessLookupError}...), told apart by {@link #errno()}.
 *
 * <p>The message is the C library's description of the error number, then what the call was
 * about, as Python words it: {@code No such file or directory: 'nosuchprog'} when a program or
 * path is concerned, else the call, e.g. {@code No child processes (waitpid 1234)}.
 */
public class PosixException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public PosixException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** A failure about a file name (a program, a directory): Python's {@code strerror: 'name'}. */
    static PosixException aboutFile(int errno, String fileName) {
        return new PosixException(errno, describe(errno) + ": '" + fileName + "'");
    }

    /** A failure of a call, named with its arguments, e.g. {@code "waitpid 1234"}. */
    static PosixException ofCall(int errno, String call) {
        return new PosixException(errno, describe(errno) + " (" + call + ")");
    }

    /** The error number, as libc's {@code errno} (e.g. 2 for ENOENT). */
    public int errno() {
        return errno;
    }

    /** The symbolic name of {@link #errno()}, e.g. {@code "ENOENT"}, or {@code "errno <n>"} for an unknown number. */
    public String errnoName() {
        Errno known = Errno.valueOf(errno);
        return known.defined() ? known.name() : "errno " + errno;
    }

    /**
     * The C library's description of {@link #errno()} alone, as {@code strerror(3)} gives it (e.g.
     * {@code "Broken pipe"}): the words the JDK's channels fail with, without what the call was about.
     */
    public String strerror() {
        return describe(errno);
    }

    static String describe(int errno) {
        Errno known = Errno.valueOf(errno);
        return known.defined() ? known.description() : "Unknown error " + errno;
    }
}
