package dev.loopkit.loop.core.scheduling;

/**
 * The clock of every Loopkit loop: monotonic nanoseconds since this class was loaded, so that all
 * loops of a process agree on {@code time()} (asyncio's {@code time.monotonic()}).
 */
public final class LoopClock {

    private static final long ORIGIN = System.nanoTime();
    private static final double NANOS_PER_SECOND = 1e9;
    /** Up to here every long is a double: 2^53. */
    private static final long EXACT_NANOS = 1L << 53;

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
     * {@code seconds} as nanoseconds, rounded up so that a timer never fires early: the smallest
     * count whose {@link #toSeconds} is not below {@code seconds}. Saturates at the ends of
     * {@code long} (so do the infinities); NaN has no such count and is refused.
     */
    public static long toNanosCeil(double seconds) {
        if (Double.isNaN(seconds)) {
            throw new IllegalArgumentException("seconds must not be NaN");
        }
        double nanos = Math.ceil(seconds * NANOS_PER_SECOND);
        if (nanos >= Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (nanos <= Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        long ceil = (long) nanos;
        // seconds * 1e9 is rounded to a double first: the product can fall an ulp short, and its
        // ceiling then a nanosecond before `seconds`. Step up until toSeconds agrees (where a step
        // still changes the double: beyond 2^53 ns, 104 days, nanoseconds are not told apart).
        while (ceil < EXACT_NANOS && toSeconds(ceil) < seconds) {
            ceil++;
        }
        return ceil;
    }

    /** Nanoseconds from {@code nowNanos} until {@code whenNanos}: 0 if that is not later, saturating at {@code Long.MAX_VALUE}. */
    public static long nanosUntil(long whenNanos, long nowNanos) {
        if (whenNanos <= nowNanos) {
            return 0;
        }
        long until = whenNanos - nowNanos;
        return until < 0 ? Long.MAX_VALUE : until; // overflowed: later than a long can say
    }
}
