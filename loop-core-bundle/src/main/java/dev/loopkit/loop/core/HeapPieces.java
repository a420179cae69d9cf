package dev.loopkit.loop.core;

import dev.loopkit.posix.Posix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Heap buffers offered to the JDK's channels {@link #AT_MOST} bytes at a time, in writes and reads. A JDK
 * channel copies a heap buffer through a temporary direct buffer of the heap buffer's whole remaining size,
 * whatever the socket then takes or gives, and keeps that buffer for the thread until it ends. A 64 MiB
 * write drained a socket's worth at a time copied its rest again at every write (256 MiB through a TCP
 * transport of the selector loop took 3.1 s, asyncio 0.57 s), and the loop thread kept 64 MiB of direct
 * memory for good ({@code LargeHeapBuffersContract}); a {@code sockRecv} into a 16 MiB buffer kept 16 MiB for
 * the thread, however little arrived (the same contract). Direct buffers go as they are.
 */
public final class HeapPieces {

    /** The most of a heap buffer one write offers or one read fills: the same as through jnr-ffi. */
    public static final int AT_MOST = Posix.HEAP_WRITE_AT_MOST;

    private HeapPieces() {
    }

    /** {@code data}, or a view of its next {@link #AT_MOST} bytes when it is a heap buffer with more. */
    public static ByteBuffer bounded(ByteBuffer data) {
        return isWhole(data) ? data : nextPiece(data);
    }

    /** A view of {@code data}'s next {@link #AT_MOST} bytes (or fewer, all it has). */
    public static ByteBuffer nextPiece(ByteBuffer data) {
        return data.duplicate().limit(data.position() + Math.min(AT_MOST, data.remaining()));
    }

    private static boolean isWhole(ByteBuffer data) {
        return data.isDirect() || data.remaining() <= AT_MOST;
    }

    /**
     * Reads what {@code channel} has into {@code into}, advancing its position: a heap buffer takes at most
     * {@link #AT_MOST} bytes a read, as a socket's {@code recv} may give fewer bytes than there is room for.
     *
     * @return the bytes read, or -1 at the end of the stream
     */
    public static int read(ReadableByteChannel channel, ByteBuffer into) throws IOException {
        ByteBuffer piece = bounded(into);
        int read = channel.read(piece);
        if (piece != into && read > 0) {
            into.position(piece.position());
        }
        return read;
    }

    /**
     * Writes what {@code channel} takes now, advancing {@code data}'s position: a heap buffer a bounded
     * piece at a time, for as long as the channel takes whole pieces.
     *
     * @return the bytes written
     */
    public static long write(WritableByteChannel channel, ByteBuffer data) throws IOException {
        if (isWhole(data)) {
            return channel.write(data);
        }
        long written = 0;
        while (data.hasRemaining()) {
            ByteBuffer piece = nextPiece(data);
            int offered = piece.remaining();
            int taken = channel.write(piece);
            data.position(data.position() + taken);
            written += taken;
            if (taken < offered) {
                break;
            }
        }
        return written;
    }
}
