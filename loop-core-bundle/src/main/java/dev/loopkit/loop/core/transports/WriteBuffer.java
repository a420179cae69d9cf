package dev.loopkit.loop.core.transports;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.HeapPieces;
import dev.loopkit.loop.core.WriteChunks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;

/**
 * What a transport could not write at once, written later in order, several chunks at a time
 * (gathering writes).
 *
 * <p><b>One copy, as asyncio's bytearray.</b> {@code write} lets the caller reuse its buffer as soon
 * as the call returns (asyncio copies for the same reason: the caller may mutate), so the buffer
 * keeps a copy; holding the caller's buffer instead would need an ownership hand-off the API does
 * not have. The copy goes into the loop's pooled chunks ({@link WriteChunks}): small writes are
 * appended to the last chunk while it has room, and written chunks go back to the pool, so a steady
 * stream of writes under back-pressure allocates nothing. A write larger than a chunk gets heap
 * copies of its own, {@link HeapPieces#AT_MOST} bytes each: that allocation is small beside the copy,
 * and a large direct buffer per write would churn native memory. In pieces, because a channel copies
 * all of a heap buffer it is offered at every write, whatever it takes; and one write offers at most
 * {@link #GATHER_BYTES_AT_MOST} bytes.
 *
 * <p>Chunks handed out by {@link #gather} are in flight (NIO.2 writes them on another thread): the
 * buffer appends nothing to them until {@link #consumed} says the write is over, and {@link #clear}
 * does not give them back to the pool.
 */
public final class WriteBuffer {

    /** The most one write offers a channel: 64 pooled chunks. */
    public static final int GATHER_BYTES_AT_MOST = WriteChunks.GATHER_AT_MOST * WriteChunks.CHUNK_SIZE;

    private final WriteChunks pool;
    /**
     * The chunks, oldest first, as a ring (a power of two long) from {@link #head}: each in read
     * mode, {@code [position, limit)} still to be written. Not an ArrayDeque: walking one for a
     * gathering write allocates an iterator.
     */
    private ByteBuffer[] ring = new ByteBuffer[8];
    private int head;
    private int count;
    private int size;
    /** The last chunk is in a batch {@link #gather} handed out. */
    private boolean tailInFlight;

    /** A write buffer using {@code loop}'s chunks; loop thread only. */
    public WriteBuffer(BaseEventLoop loop) {
        this(loop.writeChunks()); // asserts the thread
    }

    WriteBuffer(WriteChunks pool) {
        this.pool = pool;
    }

    /** Copies the remaining bytes of {@code data}; the caller may reuse it. */
    public void add(ByteBuffer data) {
        int length = data.remaining();
        ByteBuffer tail = count == 0 ? null : chunk(count - 1);
        if (tail != null && !tailInFlight && WriteChunks.isChunk(tail) && tail.capacity() - tail.limit() >= length) {
            append(tail, data);
        } else if (length <= WriteChunks.CHUNK_SIZE) {
            addLast(pool.take().put(data).flip());
        } else {
            while (data.hasRemaining()) {
                ByteBuffer next = HeapPieces.nextPiece(data);
                data.position(next.limit());
                addLast(ByteBuffer.allocate(next.remaining()).put(next).flip());
            }
        }
        size += length;
    }

    // Puts data after the chunk's unwritten bytes, leaving its position where the next write starts.
    private static void append(ByteBuffer chunk, ByteBuffer data) {
        int position = chunk.position();
        chunk.position(chunk.limit()).limit(chunk.capacity());
        chunk.put(data);
        chunk.limit(chunk.position()).position(position);
    }

    /** Bytes waiting. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Writes what {@code channel} takes now; returns the number of bytes written. Synchronous: the
     * loop's one gather array serves every transport, and is emptied before returning.
     */
    public long writeTo(GatheringByteChannel channel) throws IOException {
        long written;
        if (count == 1) {
            written = channel.write(ring[head]);
        } else {
            ByteBuffer[] batch = pool.gather();
            int filled = fill(batch);
            try {
                written = channel.write(batch, 0, filled);
            } finally {
                Arrays.fill(batch, 0, filled, null);
            }
        }
        consumed(written);
        return written;
    }

    /**
     * Puts the first chunks, as many as fit, into {@code batch} and returns how many: for a
     * gathering write that completes later (NIO.2). The chunks stay in the buffer, and count in
     * {@link #size()}, until {@link #consumed(long)} says they were written; meanwhile what is added
     * goes to new chunks. No allocation: the caller keeps its array.
     */
    public int gather(ByteBuffer[] batch) {
        int filled = fill(batch);
        tailInFlight = filled > 0 && filled == count;
        return filled;
    }

    private int fill(ByteBuffer[] batch) {
        int most = Math.min(count, batch.length);
        int filled = 0;
        long offered = 0;
        while (filled < most && (filled == 0 || offered + chunk(filled).remaining() <= GATHER_BYTES_AT_MOST)) {
            batch[filled] = chunk(filled);
            offered += batch[filled].remaining();
            filled++;
        }
        return filled;
    }

    /** The first chunk, for channels that take one buffer at a time; {@code null} when empty. */
    public ByteBuffer first() {
        return count == 0 ? null : ring[head];
    }

    /**
     * Accounts for {@code written} bytes taken from the front, dropping the chunks that are done and
     * giving pooled ones back. Ends what {@link #gather} started: no chunk is in flight afterwards.
     */
    public void consumed(long written) {
        size -= (int) written;
        tailInFlight = false;
        while (count > 0 && !ring[head].hasRemaining()) {
            ByteBuffer done = ring[head];
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            count--;
            if (WriteChunks.isChunk(done)) {
                pool.give(done);
            }
        }
    }

    /**
     * Drops everything (abort). The chunks are not given back: a write in flight may still be
     * reading them.
     */
    public void clear() {
        for (int i = 0; i < count; i++) {
            ring[(head + i) & (ring.length - 1)] = null;
        }
        head = 0;
        count = 0;
        size = 0;
        tailInFlight = false;
    }

    @Override
    public String toString() {
        return "WriteBuffer[" + size + " bytes in " + count + " chunks]";
    }

    // ---- the ring ---------------------------------------------------------------------------------------

    private ByteBuffer chunk(int index) {
        return ring[(head + index) & (ring.length - 1)];
    }

    private void addLast(ByteBuffer chunk) {
        if (count == ring.length) {
            ByteBuffer[] grown = new ByteBuffer[ring.length * 2];
            for (int i = 0; i < count; i++) {
                grown[i] = chunk(i);
            }
            ring = grown;
            head = 0;
        }
        ring[(head + count) & (ring.length - 1)] = chunk;
        count++;
        tailInFlight = false;
    }

}
