package dev.loopkit.api;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * asyncio's module functions: {@code get_event_loop_policy()}, {@code get_event_loop()},
 * {@code get_running_loop()}, {@code run()}… The process-wide policy is chosen by the runtime
 * ({@link RuntimeHook}): the one set here explicitly, else the configured one, else the
 * highest-ranked one that is installed.
 */
public final class Asyncio {

    /** asyncio's {@code constants.THREAD_JOIN_TIMEOUT}: how long {@link #run} waits for the default executor. */
    public static final int THREAD_JOIN_TIMEOUT_SECONDS = 300;

    private Asyncio() {
    }

    /**
     * asyncio {@code get_event_loop_policy()}.
     *
     * @throws IllegalStateException when no policy is installed at all, or no runtime
     */
    public static EventLoopPolicy getEventLoopPolicy() {
        EventLoopPolicy policy = RuntimeHook.get().currentPolicy();
        if (policy == null) {
            throw new IllegalStateException("No event loop policy is installed: each comes with the loop bundle it makes"
                    + " loops of (dev.loopkit.loop.selector, dev.loopkit.loop.epoll, dev.loopkit.loop.proactor), with"
                    + " dev.loopkit.policy running for all but epoll's: start one, register another EventLoopPolicy"
                    + " service, or put a provider of dev.loopkit.api.EventLoopPolicy on the module path");
        }
        return policy;
    }

    /**
     * asyncio {@code set_event_loop_policy(policy)}: makes {@code policy} process-wide whatever the
     * ranking; {@code null} returns to the configured or ranked choice.
     */
    public static void setEventLoopPolicy(EventLoopPolicy policy) {
        RuntimeHook.get().setExplicitPolicy(policy);
    }

    /**
     * asyncio {@code get_event_loop()}: the loop running in this thread, else the policy's loop for
     * this context.
     */
    public static EventLoop getEventLoop() {
        EventLoop running = RunningLoop.get();
        return running != null ? running : getEventLoopPolicy().getEventLoop();
    }

    /** asyncio {@code set_event_loop(loop)}. */
    public static void setEventLoop(EventLoop loop) {
        getEventLoopPolicy().setEventLoop(loop);
    }

    /** asyncio {@code new_event_loop()}. */
    public static EventLoop newEventLoop() {
        return getEventLoopPolicy().newEventLoop();
    }

    /**
     * asyncio {@code get_running_loop()}.
     *
     * @throws IllegalStateException "no running event loop"
     */
    public static EventLoop getRunningLoop() {
        EventLoop running = RunningLoop.get();
        if (running == null) {
            throw new IllegalStateException("no running event loop");
        }
        return running;
    }

    /** asyncio {@code _get_running_loop()}: the running loop of this thread, or {@code null}. */
    public static EventLoop currentRunningLoop() {
        return RunningLoop.get();
    }

    /** asyncio {@code get_child_watcher()}: the process-wide policy's watcher. */
    public static ChildWatcher getChildWatcher() {
        return getEventLoopPolicy().getChildWatcher();
    }

    /** asyncio {@code set_child_watcher(watcher)}. */
    public static void setChildWatcher(ChildWatcher watcher) {
        getEventLoopPolicy().setChildWatcher(watcher);
    }

    /**
     * asyncio {@code run(main())}: runs {@code main} on a new loop of the process-wide policy, set as
     * this thread's loop for the duration, waits up to {@value #THREAD_JOIN_TIMEOUT_SECONDS} s for the
     * functions still running in the loop's default executor (asyncio's {@code Runner.close}: the
     * program that returns must not cut them off), then closes the loop. A thread interrupted meanwhile
     * does not wait.
     *
     * @throws IllegalStateException "asyncio.run() cannot be called from a running event loop"
     */
    public static <T> T run(Function<? super EventLoop, ? extends CompletionStage<T>> main) {
        Objects.requireNonNull(main, "main");
        if (RunningLoop.get() != null) {
            throw new IllegalStateException("asyncio.run() cannot be called from a running event loop");
        }
        EventLoopPolicy policy = getEventLoopPolicy();
        EventLoop loop = policy.newEventLoop();
        policy.setEventLoop(loop);
        try {
            T result;
            try {
                result = loop.runUntilComplete(main.apply(loop));
            } catch (Throwable failure) {
                try {
                    awaitDefaultExecutor(loop);
                } catch (Throwable alsoFailed) {
                    failure.addSuppressed(alsoFailed);
                }
                throw failure;
            }
            awaitDefaultExecutor(loop);
            return result;
        } finally {
            try {
                policy.setEventLoop(null);
            } finally {
                loop.close();
            }
        }
    }

    private static void awaitDefaultExecutor(EventLoop loop) {
        if (!loop.isClosed() && !Thread.currentThread().isInterrupted()) {
            loop.runUntilComplete(loop.shutdownDefaultExecutor(THREAD_JOIN_TIMEOUT_SECONDS));
        }
    }
}
