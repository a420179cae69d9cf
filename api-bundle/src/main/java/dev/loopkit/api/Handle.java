package dev.loopkit.api;

import org.osgi.annotation.versioning.ProviderType;

/** asyncio's {@code Handle}: a callback scheduled on a loop. */
@ProviderType
public interface Handle {

    /** Cancels the callback; a cancelled callback never runs. Cancelling twice does nothing. */
    void cancel();

    /** Whether {@link #cancel()} was called. */
    boolean isCancelled();
}
