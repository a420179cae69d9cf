package dev.loopkit.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * asyncio's {@code AbstractEventLoopPolicy}: a process-wide object that gets and sets the event loop
 * of each context (per thread by default) and creates new loops.
 *
 * <p>The process-wide policy is chosen by {@link Asyncio#getEventLoopPolicy()}: the one set
 * explicitly, else the configured one, else the highest-ranked provider. A policy that lacks a
 * feature throws {@link UnsupportedOperationException} (asyncio's {@code NotImplementedError}).
 */
@ConsumerType
public interface EventLoopPolicy {

    /**
     * asyncio {@code get_event_loop()}: the event loop of the current context, never {@code null}.
     *
     * @throws IllegalStateException "There is no current event loop in thread '&lt;name&gt;'." when the
     *         context has none and the policy does not create one
     */
    EventLoop getEventLoop();

    /** asyncio {@code set_event_loop(loop)}: sets the loop of the current context; {@code null} clears it. */
    void setEventLoop(EventLoop loop);

    /** asyncio {@code new_event_loop()}: a new loop, never {@code null}; the current one is left alone. */
    EventLoop newEventLoop();

    /**
     * asyncio {@code get_child_watcher()}: the watcher this policy gives to loops for subprocesses.
     *
     * @throws UnsupportedOperationException when the policy has no child watchers
     */
    default ChildWatcher getChildWatcher() {
        throw new UnsupportedOperationException(getClass().getName() + " has no child watcher");
    }

    /**
     * asyncio {@code set_child_watcher(watcher)}: replaces the watcher; the previous one is closed
     * unless it is a shared service owned by its bundle.
     *
     * @throws UnsupportedOperationException when the policy has no child watchers
     */
    default void setChildWatcher(ChildWatcher watcher) {
        throw new UnsupportedOperationException(getClass().getName() + " has no child watcher");
    }
}
