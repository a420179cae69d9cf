package dev.loopkit.posix;

import dev.loopkit.posix.libc.LibC;
import java.util.function.IntFunction;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;

/**
 * libc, bound once per class loader, or why it could not be: not Linux, jnr-ffi or its native stub
 * missing (in OSGi: the jffi native fragment not attached).
 */
final class Native {

    private static final int EINTR = Errno.EINTR.intValue();
    private static final int EAGAIN = Errno.EAGAIN.intValue(); // EWOULDBLOCK on Linux


    private static final Native INSTANCE;
    private static final String UNAVAILABLE_REASON;

    // Bound with the caller's interrupt status set aside, and put back after: jffi writes its native stub
    // to a temporary file through an interruptible channel, which a pending interrupt closes, and both
    // jffi and this class keep that failure for the JVM's life (FirstUseFromAnInterruptedThreadTest).
    static {
        boolean interrupted = Thread.interrupted();
        Native loaded = null;
        String reason = null;
        try {
            loaded = load();
        } catch (UnsupportedOperationException e) {
            reason = e.getMessage();
        } catch (RuntimeException | LinkageError e) {
            reason = "libc could not be bound with jnr-ffi: " + e;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        INSTANCE = loaded;
        UNAVAILABLE_REASON = reason;
    }

    final LibC libc;
    final Runtime runtime;

    private Native(LibC libc, Runtime runtime) {
        this.libc = libc;
        this.runtime = runtime;
    }

    /** The bound libc; throws {@link UnsupportedOperationException} with the reason when there is none. */
    static Native instance() {
        if (INSTANCE == null) {
            throw new UnsupportedOperationException(UNAVAILABLE_REASON);
        }
        return INSTANCE;
    }

    /** Why there is no native access, or {@code null} when there is. */
    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** The calling thread's errno as jnr-ffi saved it after the last {@code @SaveError} call. */
    int errno() {
        return runtime.getLastError();
    }

    /** A failure of the call just made, with its errno. */
    PosixException failure(String call) {
        return PosixException.ofCall(errno(), call);
    }

    /**
     * After a call returned -1: {@code true} when it is to be tried again ({@code EINTR}, PEP 475),
     * {@code false} when it would block ({@code EAGAIN}); any other error is thrown, in {@code failure}'s words.
     */
    boolean retryUnlessWouldBlock(IntFunction<PosixException> failure) throws PosixException {
        int errno = errno();
        if (errno == EAGAIN) {
            return false;
        }
        if (errno != EINTR) {
            throw failure.apply(errno);
        }
        return true;
    }

    int addressSize() {
        return runtime.addressSize();
    }

    private static Native load() {
        String os = System.getProperty("os.name", "");
        if (!os.equals("Linux")) {
            throw new UnsupportedOperationException("Loopkit's native bindings are for Linux, not " + os);
        }
        LibC libc = LibraryLoader.create(LibC.class)
                .option(LibraryOption.LoadNow, Boolean.TRUE)
                .load(Platform.getNativePlatform().getStandardCLibraryName());
        libc.getpid(); // the first call loads jffi's native stub: fail here rather than later
        return new Native(libc, Runtime.getRuntime(libc));
    }
}
