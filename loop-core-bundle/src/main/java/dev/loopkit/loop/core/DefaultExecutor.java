package dev.loopkit.loop.core;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loop's default executor for {@code runInExecutor(null, …)}: made on first use, like asyncio's
 * {@code ThreadPoolExecutor(min(32, cpus + 4))}, with daemon threads that end when idle or shut
 * down.
 */
final class DefaultExecutor {

    private static final long IDLE_SECONDS = 60;

    private final String threadPrefix;
    // Guarded by this.
    private ExecutorService executor;
    private boolean shutdown;

    DefaultExecutor(String threadPrefix) {
        this.threadPrefix = threadPrefix;
    }

    /** @throws IllegalStateException "Executor shutdown has been called" */
    synchronized ExecutorService get() {
        if (shutdown) {
            throw new IllegalStateException("Executor shutdown has been called");
        }
        if (executor == null) {
            int workers = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
            ThreadPoolExecutor pool = new ThreadPoolExecutor(workers, workers, IDLE_SECONDS, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), daemonThreads(threadPrefix));
            pool.allowCoreThreadTimeOut(true);
            executor = pool;
        }
        return executor;
    }

    synchronized void set(ExecutorService replacement) {
        if (shutdown) {
            throw new IllegalStateException("Executor shutdown has been called");
        }
        executor = replacement;
    }

    /** asyncio {@code executor.shutdown(wait=False)}: running tasks finish, idle threads end now. */
    synchronized void shutdown() {
        shutdown = true;
        if (executor != null) {
            executor.shutdown();
        }
    }

    /** Shuts down, then runs {@code then} on a helper thread once every executor thread has ended. */
    void shutdownAndThen(Runnable then) {
        ExecutorService current;
        synchronized (this) {
            shutdown();
            current = executor;
        }
        if (current == null) {
            then.run();
            return;
        }
        Thread waiter = new Thread(() -> {
            try {
                while (!current.awaitTermination(1, TimeUnit.SECONDS)) {
                    // keep waiting: asyncio's shutdown_default_executor waits for the threads too
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            then.run();
        }, threadPrefix + "shutdown");
        waiter.setDaemon(true);
        waiter.start();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
    }
}
