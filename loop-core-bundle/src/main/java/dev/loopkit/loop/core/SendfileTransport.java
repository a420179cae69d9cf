package dev.loopkit.loop.core;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Transport;

/**
 * What {@code sendfile} needs of a stream transport beyond {@link Transport} (asyncio reaches into
 * the transport's privates for the same): the socket to send to directly, the empty waiter, and
 * whether the protocol was told to pause writing. The socket transports implement it; a transport
 * that does not cannot take part in {@code sendfile} ("sendfile is not supported for transport").
 */
public interface SendfileTransport extends Transport {

    /**
     * The socket zero-copy {@code sendfile} may write to directly, or {@code null} when the bytes must
     * go through {@code write} (asyncio's fallback: TLS, a proactor's asynchronous socket).
     */
    ZeroCopySocket zeroCopySocket();

    /**
     * asyncio's {@code _make_empty_waiter}: done once the write buffer is empty; until
     * {@link #resetEmptyWaiter()}, {@code write} refuses ("unable to write; sendfile is in progress").
     *
     * @throws IllegalStateException "Empty waiter is already set" while another sendfile runs
     */
    LoopFuture<Void> makeEmptyWaiter();

    /** asyncio's {@code _reset_empty_waiter}: writes are accepted again. */
    void resetEmptyWaiter();

    /** asyncio's {@code _protocol_paused}: the protocol was told to pause writing and not yet to resume. */
    boolean isWritingPaused();
}
