package dev.loopkit.loop.proactor;

/**
 * How big a connection's next read buffer should be, guessed from how much the last reads filled,
 * as Netty's {@code AdaptiveRecvByteBufAllocator} guesses (our own, simpler rule, powers of two).
 *
 * <p>Why: on a completion-based loop a read holds its buffer for as long as it is pending, and an
 * idle connection has a read pending all the time. With a fixed 64 KiB buffer, 10,000 idle
 * connections held 640 MiB of buffers (955 MB RSS, against 83 MB on the selector loop, which reads
 * into one buffer per loop). So a connection starts with {@link #INITIAL} bytes; a read that fills
 * its buffer means more is coming and the next buffer is four times bigger at once (a bulk transfer
 * reaches {@link #MAX}, asyncio's 64 KiB, after three reads); the size halves only after two reads in
 * a row that would have fitted in the half, so that one short read in a stream does not cost the
 * stream its buffer. Never below {@link #MIN}, never above {@link #MAX}. Loop thread only.
 */
final class ReadSizeGuess {

    static final int MIN = 512;
    static final int INITIAL = 2 * 1024;
    /** asyncio's proactor reads at most this much at once ({@code _ProactorReadPipeTransport}'s buffer). */
    static final int MAX = 64 * 1024;
    private static final int GROWTH = 4;

    private int size = INITIAL;
    private boolean shrinkNext;

    /** The size for the next read's buffer. */
    int size() {
        return size;
    }

    /** Records that a read into a buffer of {@link #size()} bytes got {@code bytes}. */
    void record(int bytes) {
        if (bytes >= size) {
            size = Math.min(MAX, size * GROWTH);
            shrinkNext = false;
        } else if (bytes <= size / 2 && size > MIN) {
            if (shrinkNext) {
                size = Math.max(MIN, size / 2);
                shrinkNext = false;
            } else {
                shrinkNext = true;
            }
        } else {
            shrinkNext = false;
        }
    }
}
