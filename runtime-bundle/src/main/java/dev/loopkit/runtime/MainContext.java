package dev.loopkit.runtime;

import dev.loopkit.api.EventLoop;

/**
 * asyncio's main thread: the one context where a policy creates a loop implicitly and where
 * SIGCHLD-based watchers attach. By default it is the JVM's main thread; a platform may designate
 * another (in OSGi, the thread that runs the platform bundle's main loop).
 */
public final class MainContext {

    /**
     * The JVM's primordial thread, the one that ran {@code main}: -1 when it has ended. Its id cannot
     * tell (1 up to JDK 21, 3 on JDK 25: JpmsIT's program got "There is no current event loop in
     * thread 'main'" there), nor can its name, which a program may change before Loopkit's first use
     * (an outside review's "app-main" got no implicit loop). What does is where it started: it is the
     * thread of group {@code main} whose first frame is a {@code main} method; any other thread starts
     * in {@code Thread.run}.
     */
    private static final long JVM_MAIN_THREAD_ID = findJvmMainThread();

    static long findJvmMainThread() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> thread.getKey().getThreadGroup() != null
                        && "main".equals(thread.getKey().getThreadGroup().getName()) && startedInMain(thread.getValue()))
                .mapToLong(thread -> thread.getKey().getId()).min().orElse(-1);
    }

    private static boolean startedInMain(StackTraceElement[] stack) {
        return stack.length > 0 && stack[stack.length - 1].getMethodName().equals("main");
    }

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
