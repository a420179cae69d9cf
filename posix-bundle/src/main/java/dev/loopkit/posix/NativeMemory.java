package dev.loopkit.posix;

import dev.loopkit.posix.libc.LibC;
import jnr.constants.platform.Errno;
import jnr.ffi.Pointer;

/**
 * A zeroed block of native memory from {@code calloc}, released by {@link #close()} with
 * {@code free}: deterministic, unlike jnr-ffi's own allocations, which wait for the garbage
 * collector. Not thread-safe.
 */
final class NativeMemory implements AutoCloseable {

    private final LibC libc;
    private final long size;
    private Pointer pointer;

    private NativeMemory(LibC libc, Pointer pointer, long size) {
        this.libc = libc;
        this.pointer = pointer;
        this.size = size;
    }

    static NativeMemory calloc(LibC libc, long size) throws PosixException {
        Pointer pointer = libc.calloc(1, size);
        if (pointer == null) {
            throw PosixException.ofCall(Errno.ENOMEM.intValue(), "calloc " + size);
        }
        return new NativeMemory(libc, pointer, size);
    }

    Pointer pointer() {
        if (pointer == null) {
            throw new IllegalStateException("native memory already freed");
        }
        return pointer;
    }

    long size() {
        return size;
    }

    /** Frees the memory; idempotent. */
    @Override
    public void close() {
        if (pointer != null) {
            libc.free(pointer);
            pointer = null;
        }
    }
}
