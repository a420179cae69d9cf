package dev.loopkit.api;

/** The write-buffer watermarks of a transport, in bytes: asyncio's {@code (low, high)}. */
public record WriteBufferLimits(int low, int high) {

    public WriteBufferLimits {
        if (low < 0 || high < low) {
            throw new IllegalArgumentException("high (" + high + ") must be >= low (" + low + ") must be >= 0");
        }
    }
}
