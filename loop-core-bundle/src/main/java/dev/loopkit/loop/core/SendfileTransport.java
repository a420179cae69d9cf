package dev.loopkit.loop.core;

import dev.loopkit.api.BaseProtocol;
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

    /**
     * For the transports' {@code close()}: tells a {@code sendfile} fallback that stands in for
     * {@code protocol} that its transport is closing. Nothing can be written after the close, so its
     * wait for room fails at once (else it waited for {@code connectionLost}, which comes only once the
     * buffer drained: never if the peer waits for the sendfile). Nothing for any other protocol.
     */
    static void closing(BaseProtocol protocol) {
        if (protocol instanceof SendfileFallbackProtocol standIn) {
            standIn.transportClosing();
        }
    }
}
