package dev.loopkit.loop.core;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A loop's memory for what its transports could not write at once: fixed-size direct chunks that
 * the transports' {@code WriteBuffer}s take, fill with copies of small writes, and give back once written, so a
 * connection under back-pressure allocates nothing per write; and the one gather array for
 * synchronous gathering writes. Loop thread only, as the transports that use it.
 *
 * <p>Direct, unlike the proactor's per-connection read buffers: these are reused by the loop rather
 * than made per connection, so their native memory does not churn, and a direct buffer is written
 * by the channel as it is where a heap one is first copied into the JDK's temporary direct buffer.
 * At most {@link #KEEP_AT_MOST} idle chunks are kept; the rest are left to the GC.
 */
public final class WriteChunks {

    /** Writes up to this size are copied into chunks; larger ones get a copy of their own. */
    public static final int CHUNK_SIZE = 16 * 1024;
    /** Idle chunks kept for reuse: 256 KiB per loop at most, and only after a burst needed them. */
    static final int KEEP_AT_MOST = 16;
    /** Buffers one gathering write takes at most. */
    public static final int GATHER_AT_MOST = 64;

    private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>(KEEP_AT_MOST);
    private final ByteBuffer[] gather = new ByteBuffer[GATHER_AT_MOST];

    /** The one gather array of a gathering write: filled, written and emptied within one call. */
    public ByteBuffer[] gather() {
        return gather;
    }

    /** An empty chunk in write mode (position 0, limit = capacity). */
    public ByteBuffer take() {
        ByteBuffer chunk = idle.pollLast();
        return chunk != null ? chunk.clear() : ByteBuffer.allocateDirect(CHUNK_SIZE);
    }

    /** Whether {@code buffer} is one of this pool's kind of chunk, which {@link #give} takes back. */
    public static boolean isChunk(ByteBuffer buffer) {
        return buffer.isDirect() && buffer.capacity() == CHUNK_SIZE;
    }

    /** Takes back a chunk nothing reads any more; keeps it if fewer than {@link #KEEP_AT_MOST} are idle. */
    public void give(ByteBuffer chunk) {
        if (idle.size() < KEEP_AT_MOST) {
            idle.addLast(chunk);
        }
    }

    /** Idle chunks (tests). */
    public int idle() {
        return idle.size();
    }
}
