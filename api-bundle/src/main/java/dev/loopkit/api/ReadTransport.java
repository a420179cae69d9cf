package dev.loopkit.api;

import org.osgi.annotation.versioning.ProviderType;

/** asyncio's {@code ReadTransport}. */
@ProviderType
public interface ReadTransport extends BaseTransport {

    boolean isReading();

    /** Stops delivering data to the protocol until {@link #resumeReading()}; idempotent. */
    void pauseReading();

    void resumeReading();
}
