package dev.loopkit.streams;

import java.io.IOException;

/**
 * asyncio's {@code LimitOverrunError}: the separator was not found within the reader's limit.
 * Nothing was consumed; {@link #consumed()} says how far the search went.
 */
public class LimitOverrunException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int consumed;

    public LimitOverrunException(String message, int consumed) {
        super(message);
        this.consumed = consumed;
    }

    public int consumed() {
        return consumed;
    }
}
