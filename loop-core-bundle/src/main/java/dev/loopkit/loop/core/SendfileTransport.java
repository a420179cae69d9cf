package dev.loopkit.loop.core;

import dev.loopkit.api.Transport;

/**
 * What asyncio's {@code sendfile} fallback needs of a stream transport beyond {@link Transport}
 * (asyncio reaches into the transport's privates for the same): whether the protocol was told to pause
 * writing. asyncio's {@code _SendfileMode.FALLBACK}: the TLS transport is one, and every
 * {@link ZeroCopyTransport}. A transport that is neither cannot take part in {@code sendfile}
 * ("sendfile is not supported for transport").
 */
public interface SendfileTransport extends Transport {

    /** asyncio's {@code _protocol_paused}: the protocol was told to pause writing and not yet to resume. */
    boolean isWritingPaused();
}
