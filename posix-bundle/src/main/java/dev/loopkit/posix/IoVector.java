package dev.loopkit.posix;

import dev.loopkit.posix.libc.LibC;
import java.nio.ByteBuffer;
import jnr.constants.platform.Errno;
import jnr.ffi.Pointer;

/**
 * {@code writev(2)} with an array of {@code struct iovec} of its own, allocated once (so a gathering
 * write allocates no native memory) and freed by {@link #close()}. Only direct buffers can be
 * pointed at; a gathering write stops before the first heap buffer, and one that starts with a heap
 * buffer writes that buffer alone ({@link Posix#write}). Not thread-safe: one per loop thread.
 */
public final class IoVector implements AutoCloseable {

    private static final int EINTR = Errno.EINTR.intValue();
    private static final int EAGAIN = Errno.EAGAIN.intValue();

    private final Posix posix;
    private final Native nativeAccess;
    private final LibC libc;
    private final NativeMemory entries;
    private final int capacity;
    private final int entryBytes;
    private final int addressBytes;

    IoVector(Posix posix, Native nativeAccess, int capacity) throws PosixException {
        this.posix = posix;
        this.nativeAccess = nativeAccess;
        this.libc = nativeAccess.libc;
        this.capacity = capacity;
        this.addressBytes = nativeAccess.addressSize();
        this.entryBytes = 2 * addressBytes; // {void *iov_base; size_t iov_len;}
        this.entries = NativeMemory.calloc(libc, (long) capacity * entryBytes);
    }

    /** How many buffers one write takes at most. */
    public int capacity() {
        return capacity;
    }

    /**
     * Writes {@code sources[offset, offset + length)} in order, advancing each buffer's position by
     * what was taken, as {@code GatheringByteChannel.write} does.
     *
     * @return the bytes written; -1 when the descriptor is non-blocking and full ({@code EAGAIN})
     */
    public long write(int fd, ByteBuffer[] sources, int offset, int length) throws PosixException {
        if (length == 0) {
            return 0;
        }
        if (!sources[offset].isDirect()) {
            return posix.write(fd, sources[offset]);
        }
        Pointer memory = entries.pointer();
        int count = 0;
        for (int i = offset; i < offset + length && count < capacity && sources[i].isDirect(); i++) {
            ByteBuffer source = sources[i];
            // jnr-ffi's address of a direct buffer is where its position is (SocketsTest checks it)
            long address = Pointer.wrap(nativeAccess.runtime, source).address();
            memory.putAddress((long) count * entryBytes, address);
            memory.putLong((long) count * entryBytes + addressBytes, source.remaining());
            count++;
        }
        long written;
        while (true) {
            written = libc.writev(fd, memory, count);
            if (written >= 0) {
                break;
            }
            int errno = nativeAccess.errno();
            if (errno == EAGAIN) {
                return -1;
            }
            if (errno != EINTR) {
                throw PosixException.ofCall(errno, "writev " + fd);
            }
        }
        long left = written;
        for (int i = offset; left > 0; i++) {
            int taken = (int) Math.min(left, sources[i].remaining());
            sources[i].position(sources[i].position() + taken);
            left -= taken;
        }
        return written;
    }

    /** Frees the array; idempotent. */
    @Override
    public void close() {
        entries.close();
    }
}
