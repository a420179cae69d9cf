package dev.loopkit.streams;

import dev.loopkit.api.LoopFuture;

/**
 * The protocol side a {@link StreamWriter} waits on: asyncio's {@code FlowControlMixin} with its
 * {@code _drain_helper} and the protocol's close waiter.
 */
interface WriteFlow {

    /** Completes at once unless writing is paused; fails once the connection is lost. */
    LoopFuture<Void> drainHelper();

    /** Completes when the connection (or pipe) is lost. */
    LoopFuture<Void> closed();
}
