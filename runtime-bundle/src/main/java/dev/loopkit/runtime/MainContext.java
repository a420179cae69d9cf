package dev.loopkit.runtime;

import dev.loopkit.api.EventLoop;

/**
 * asyncio's main thread: the one context where a policy creates a loop implicitly and where
 * SIGCHLD-based watchers attach. By default it is the JVM's main thread; a platform may designate
 * another (in OSGi, the thread that runs the platform bundle's main loop).
 */
public final class MainContext {

    /**
     * The JVM's primordial thread, the one that ran {@code main}: HotSpot names it {@code main}, in
     * thread group {@code main}. Its id cannot tell (1 up to JDK 21, 3 on JDK 25: JpmsIT's program
     * got "There is no current event loop in thread 'main'" there); the lowest id of such threads
     * can, as it is made before any other of that name. -1 when it has ended.
     */
    private static final long JVM_MAIN_THREAD_ID = Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> "main".equals(thread.getName()) && thread.getThreadGroup() != null
                    && "main".equals(thread.getThreadGroup().getName()))
            .mapToLong(Thread::getId).min().orElse(-1);

    private volatile Thread designated;
    private volatile EventLoop loop;

    /** Whether {@code thread} is the main context. */
    public boolean isMain(Thread thread) {
        Thread main = designated;
        return main != null ? thread == main : thread.getId() == JVM_MAIN_THREAD_ID;
    }

    /** Whether the calling thread is the main context. */
    public boolean isCurrentThreadMain() {
        return isMain(Thread.currentThread());
    }

    /** Makes {@code thread} the main context; {@code null} returns to the JVM's main thread. */
    public synchronized void designate(Thread thread) {
        designated = thread;
        if (thread == null) {
            loop = null;
        }
    }

    /**
     * Makes {@code thread} the main context and {@code mainLoop} the loop it runs (the one the
     * SIGCHLD-based watchers attach to); {@code null}s return to the JVM's main thread.
     */
    public synchronized void designate(Thread thread, EventLoop mainLoop) {
        designated = thread;
        loop = thread == null ? null : mainLoop;
    }

    /**
     * asyncio's {@code set_event_loop} in the main thread: if {@code thread} is the main context,
     * {@code loop} becomes its loop ({@code null}: none), the one later watcher switches attach the
     * current watcher to. Outside a platform nobody designates a main loop, and this is how the
     * program's own loop becomes it (MainThreadLoopOutsideAPlatformTest); on a platform its main
     * loop's thread sets the same loop it was designated with.
     */
    public synchronized void loopSetIn(Thread thread, EventLoop loop) {
        if (isMain(thread)) {
            this.loop = loop;
        }
    }

    /**
     * Returns to the JVM's main thread if {@code thread} is still the main context. A platform's main
     * thread that ends after its successor took over (its bundle's stop gave up waiting for it) must
     * not take the main context from the new one.
     */
    public synchronized void release(Thread thread) {
        if (designated == thread) {
            designate(null);
        }
    }

    /**
     * The main context's loop: the one a platform runs ({@link #designate(Thread, EventLoop)}), or the
     * one last set in the main context ({@link #loopSetIn}); {@code null} if none.
     */
    public EventLoop loop() {
        return loop;
    }

    /** The designated thread, or {@code null} when the JVM's main thread is the main context. */
    public Thread designated() {
        return designated;
    }
}
