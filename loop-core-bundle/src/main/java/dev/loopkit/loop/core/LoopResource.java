package dev.loopkit.loop.core;

/**
 * Something a loop owns (a transport, a server) that must not outlive it: when the loop closes,
 * {@link #release()} closes its channels and file descriptors at once, without callbacks, since a
 * closed loop runs none. A callback scheduled on the loop that is itself a {@code LoopResource} (the
 * pidfd watcher's watch of a child, queued from another thread) is released the same way if the loop
 * closes before it ran, and not reported as a dropped callback: what it was to start is its to end.
 */
public interface LoopResource {

    void release();
}
