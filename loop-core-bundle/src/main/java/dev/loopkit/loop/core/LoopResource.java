package dev.loopkit.loop.core;

/**
 * Something a loop owns (a transport, a server) that must not outlive it: when the loop closes,
 * {@link #release()} closes its channels and file descriptors at once, without callbacks, since a
 * closed loop runs none.
 */
public interface LoopResource {

    void release();
}
