package dev.loopkit.streams;

import java.io.EOFException;

/** asyncio's {@code IncompleteReadError}: the stream ended before the requested bytes arrived. */
public class IncompleteReadException extends EOFException {

    private static final long serialVersionUID = 1L;

    private final transient byte[] partial;
    private final Integer expected;

    /** {@code expected} is {@code null} when no size was asked for ({@code readuntil}). */
    public IncompleteReadException(byte[] partial, Integer expected) {
        super(partial.length + " bytes read on a total of " + (expected == null ? "undefined" : expected) + " expected bytes");
        this.partial = partial.clone();
        this.expected = expected;
    }

    /** What was read before the end. */
    public byte[] partial() {
        return partial.clone();
    }

    public Integer expected() {
        return expected;
    }
}
