package dev.loopkit.api.spi;

/**
 * asyncio's main thread, the one context where a policy creates a loop implicitly and where
 * SIGCHLD-based watchers attach. By default it is the JVM's main thread; a platform may designate
 * another (in OSGi, the thread that runs the policy bundle's main loop).
 */
public final class MainContext {

    /** HotSpot gives the primordial {@code main} thread the first thread id. */
    private static final long JVM_MAIN_THREAD_ID = 1;

    private static volatile Thread designated;

    private MainContext() {
    }

    /** Whether {@code thread} is the main context. */
    public static boolean isMain(Thread thread) {
        Thread main = designated;
        return main != null ? thread == main : thread.getId() == JVM_MAIN_THREAD_ID;
    }

    /** Whether the calling thread is the main context. */
    public static boolean isCurrentThreadMain() {
        return isMain(Thread.currentThread());
    }

    /** Makes {@code thread} the main context; {@code null} returns to the JVM's main thread. */
    public static void designate(Thread thread) {
        designated = thread;
    }

    /** The designated thread, or {@code null} when the JVM's main thread is the main context. */
    public static Thread designated() {
        return designated;
    }
}
