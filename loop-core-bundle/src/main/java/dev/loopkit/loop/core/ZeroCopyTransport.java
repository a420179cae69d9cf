package dev.loopkit.loop.core;

import dev.loopkit.api.LoopFuture;

/**
 * A transport over a socket the loop writes itself, which {@code sendfile} may try to send to
 * directly (asyncio's {@code _SendfileMode.TRY_NATIVE}): the socket, and the empty waiter that drains
 * the write buffer first and refuses writes meanwhile. The socket transports implement it.
 */
public interface ZeroCopyTransport extends SendfileTransport {

    /**
     * The socket zero-copy {@code sendfile} may write to directly, or {@code null} when the bytes must
     * go through {@code write} (asyncio's fallback: a proactor's asynchronous socket).
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
}
