package dev.loopkit.posix;

import java.nio.ByteBuffer;

/**
 * Where a read into a heap buffer lands first. jnr-ffi passes a heap buffer to {@code read(2)} or
 * {@code recvfrom(2)} through a native copy of its whole {@code [position, limit)}, made without its
 * bytes ({@code @Out}) and copied back whole: after a read of n bytes, the rest of the caller's buffer
 * held whatever that copy held (an outside review saw a BufferedProtocol's buffer written past the
 * bytes read). A read goes into this thread's direct buffer instead, and only the bytes read are put
 * into the caller's, as the JDK's channels and Python's {@code recv_into} write them. The loops' own
 * read buffers are direct and never come here.
 */
final class ReadScratch {

    /** As much as one read(2) into a heap buffer takes: it may return fewer bytes than asked anyway. */
    static final int BYTES = 64 * 1024;

    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();

    private ReadScratch() {
    }

    /** {@code dst} itself when it is direct, else this thread's scratch, with room for as much as {@code dst} has (up to {@link #BYTES}). */
    static ByteBuffer into(ByteBuffer dst) {
        if (dst.isDirect()) {
            return dst;
        }
        return scratch(dst);
    }

    /**
     * {@link #into} for one datagram, which a shorter read would cut: a heap buffer with more room than
     * the scratch gets a direct buffer of its size for this read (a Unix datagram may be far larger than
     * 64 KiB; an outside review saw 100,000 bytes cut to 65,536).
     */
    static ByteBuffer intoWhole(ByteBuffer dst) {
        if (dst.isDirect()) {
            return dst;
        }
        return dst.remaining() > BYTES ? ByteBuffer.allocateDirect(dst.remaining()) : scratch(dst);
    }

    private static ByteBuffer scratch(ByteBuffer dst) {
        ByteBuffer scratch = SCRATCH.get();
        if (scratch == null) {
            scratch = ByteBuffer.allocateDirect(BYTES);
            SCRATCH.set(scratch);
        }
        return scratch.clear().limit(Math.min(dst.remaining(), BYTES));
    }

    /** Moves {@code dst}'s position past the {@code count} bytes read into {@code into}, putting them there first if {@code into} is the scratch. */
    static void read(ByteBuffer into, ByteBuffer dst, int count) {
        if (into == dst) {
            dst.position(dst.position() + count);
        } else {
            dst.put(into.limit(count));
        }
    }
}
