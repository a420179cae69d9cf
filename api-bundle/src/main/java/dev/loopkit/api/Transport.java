package dev.loopkit.api;

import org.osgi.annotation.versioning.ProviderType;

/** asyncio's {@code Transport}: a bidirectional stream (TCP or Unix socket). */
@ProviderType
public interface Transport extends ReadTransport, WriteTransport {
}
