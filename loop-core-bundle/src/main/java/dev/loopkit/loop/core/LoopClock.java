package dev.loopkit.loop.core;

/**
 * The clock of every Loopkit loop: monotonic nanoseconds since this class was loaded, so that all
 * loops of a process agree on {@code time()} (asyncio's {@code time.monotonic()}).
 */
public final class LoopClock {

    private static final long ORIGIN = System.nanoTime();
    private static final double NANOS_PER_SECOND = 1e9;

    private LoopClock() {
    }

    /** Nanoseconds on the loop clock. */
    public static long nanoTime() {
        return System.nanoTime() - ORIGIN;
    }

    /** Seconds on the loop clock. */
    public static double seconds() {
        return nanoTime() / NANOS_PER_SECOND;
    }

    /** {@code nanos} as seconds. */
    public static double toSeconds(long nanos) {
        return nanos / NANOS_PER_SECOND;
    }

    /**
     * {@code seconds} as nanoseconds, rounded up so that a timer never fires early; saturates at
     * the ends of {@code long}.
     */
    public static long toNanosCeil(double seconds) {
        double nanos = Math.ceil(seconds * NANOS_PER_SECOND);
        if (nanos >= Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (nanos <= Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        return (long) nanos;
    }
}
