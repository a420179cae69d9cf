package dev.loopkit.loop.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;

/**
 * What a transport could not write at once: copies of the caller's buffers, written later in
 * order, several at a time (gathering writes).
 */
public final class WriteBuffer {

    private static final int GATHER_AT_MOST = 64;

    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private int size;

    /** Copies the remaining bytes of {@code data}; the caller may reuse it. */
    public void add(ByteBuffer data) {
        int length = data.remaining();
        ByteBuffer copy = ByteBuffer.allocate(length);
        copy.put(data).flip();
        chunks.addLast(copy);
        size += length;
    }

    /** Bytes waiting. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Writes what {@code channel} takes now; returns the number of bytes written. */
    public long writeTo(GatheringByteChannel channel) throws IOException {
        ByteBuffer[] batch = chunks.stream().limit(GATHER_AT_MOST).toArray(ByteBuffer[]::new);
        long written = batch.length == 1 ? channel.write(batch[0]) : channel.write(batch);
        consumed(written);
        return written;
    }

    /**
     * Puts the first chunks, as many as fit, into {@code batch} and returns how many: for a
     * gathering write that completes later (NIO.2). The chunks stay in the buffer, and count in
     * {@link #size()}, until {@link #consumed(long)} says they were written; do not add or clear
     * meanwhile expecting the batch to change. No allocation: the caller keeps its array.
     */
    public int gather(ByteBuffer[] batch) {
        int count = 0;
        for (ByteBuffer chunk : chunks) {
            if (count == batch.length) {
                break;
            }
            batch[count++] = chunk;
        }
        return count;
    }

    /** The first chunk, for channels that take one buffer at a time; {@code null} when empty. */
    public ByteBuffer first() {
        return chunks.peekFirst();
    }

    /** Accounts for {@code written} bytes taken from the front, dropping the chunks that are done. */
    public void consumed(long written) {
        size -= (int) written;
        while (!chunks.isEmpty() && !chunks.peekFirst().hasRemaining()) {
            chunks.removeFirst();
        }
    }

    /** Drops everything (abort). */
    public void clear() {
        chunks.clear();
        size = 0;
    }

    @Override
    public String toString() {
        return "WriteBuffer[" + size + " bytes in " + chunks.size() + " chunks]";
    }

}
