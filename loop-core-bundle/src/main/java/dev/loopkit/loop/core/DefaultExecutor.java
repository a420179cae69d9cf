package dev.loopkit.loop.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final long ONE_SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String threadPrefix;
    // Guarded by this.
    private ExecutorService executor;
    private boolean shutdown;
    private final WhenDropped whenDropped = new WhenDropped();

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
                    new LinkedBlockingQueue<>(), new DaemonThreads(threadPrefix));
            pool.allowCoreThreadTimeOut(true);
            executor = pool;
            whenDropped.ownPool = pool;
        }
        return executor;
    }

    /**
     * The executor from now on. The pool this made itself is shut down (running tasks finish, idle
     * threads end): nobody else can, and its idle threads outlived the loop's close by a minute.
     * asyncio drops it too, and CPython ends a dropped pool's threads once it is garbage. A user's
     * executor replaced is left to the user, as asyncio leaves it.
     */
    synchronized void set(ExecutorService replacement) {
        if (shutdown) {
            throw new IllegalStateException("Executor shutdown has been called");
        }
        if (ownThreads(executor) != null && executor != replacement) {
            executor.shutdown(); // no user code: the pool is ours
        }
        executor = replacement;
        whenDropped.ownPool = ownThreads(replacement) != null ? replacement : null;
    }

    /**
     * What shuts the loop's own pool down if the loop is dropped unclosed (its idle threads waited out a
     * minute). An executor of the user's is left to the user, as when {@link #set} replaces it: holding
     * it to shut it down kept the dropped loop alive when it reached the loop (its thread factory, say),
     * and holding it weakly lost a wrapper's pool (outside reviews; ASYNCIO-DIFFERENCES).
     */
    AutoCloseable whenDropped() {
        return whenDropped;
    }

    private static final class WhenDropped implements AutoCloseable {
        /** The loop's own pool while it is the executor; it reaches nothing of the loop. */
        private volatile ExecutorService ownPool;

        @Override
        public void close() {
            ExecutorService pool = ownPool;
            if (pool != null) {
                pool.shutdown();
            }
        }
    }

    /** The threads of a pool this made, {@code null} for an executor of the user's. */
    private static DaemonThreads ownThreads(ExecutorService executor) {
        return executor instanceof ThreadPoolExecutor pool && pool.getThreadFactory() instanceof DaemonThreads ours ? ours : null;
    }

    /**
     * asyncio {@code executor.shutdown(wait=False)}: running tasks finish, idle threads end now.
     * Returns the executor shut down, {@code null} if none was made or set.
     */
    ExecutorService shutdown() {
        ExecutorService current = markShutdown();
        // Outside the lock: an executor given to setDefaultExecutor is the user's, and its shutdown()
        // may wait for a thread that calls setDefaultExecutor or runInExecutor (DefaultExecutorReentrancyTest).
        if (current != null) {
            current.shutdown();
        }
        return current;
    }

    /**
     * The first half of {@link #shutdown()}: no executor is made or set from now on. Returns the one
     * to shut down, {@code null} if none was made or set.
     */
    synchronized ExecutorService markShutdown() {
        shutdown = true;
        return executor;
    }

    /**
     * Shuts down, then runs {@code then} on a helper thread once every executor thread has ended, or
     * once {@code timeoutNanos} have passed, after {@code timedOut} ({@code Long.MAX_VALUE}: no limit).
     */
    void shutdownAndThen(long timeoutNanos, Runnable timedOut, Runnable then) {
        ExecutorService current = shutdown();
        if (current == null) {
            then.run();
            return;
        }
        Thread waiter = new Thread(() -> {
            try {
                boolean unlimited = timeoutNanos == Long.MAX_VALUE;
                long deadline = System.nanoTime() + timeoutNanos;
                // asyncio's shutdown_default_executor waits for the threads too; in slices of at most a
                // second, the last one what is left (a whole second each ended 1.05 s at 2.0 s)
                while (!current.awaitTermination(unlimited ? ONE_SECOND_NANOS
                        : Math.min(Math.max(deadline - System.nanoTime(), 0), ONE_SECOND_NANOS), TimeUnit.NANOSECONDS)) {
                    if (!unlimited && deadline - System.nanoTime() <= 0) {
                        timedOut.run();
                        then.run();
                        return;
                    }
                }
                // Terminated is not ended: the pool is terminated as its last worker leaves, a
                // moment before that thread ends (a worker preempted there outlived the shutdown in
                // EventLoopContract.shutdownDefaultExecutorWaitsForItsThreads). asyncio's
                // shutdown(wait=True) joins the threads.
                DaemonThreads ours = ownThreads(current);
                if (ours != null) {
                    ours.joinAll();
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

    /** The pool's daemon threads, named after the loop, kept until they end so that a shutdown can join them. */
    private static final class DaemonThreads implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();
        private final Set<Thread> made = ConcurrentHashMap.newKeySet();

        DaemonThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, prefix + count.getAndIncrement());
            thread.setDaemon(true);
            // Idle threads end and new ones come for the loop's whole life: forget the ended ones
            // (not those not started yet, which are NEW, not TERMINATED).
            made.removeIf(ended -> ended.getState() == Thread.State.TERMINATED);
            made.add(thread);
            return thread;
        }

        void joinAll() throws InterruptedException {
            for (Thread thread : made) {
                thread.join();
            }
        }
    }
}
