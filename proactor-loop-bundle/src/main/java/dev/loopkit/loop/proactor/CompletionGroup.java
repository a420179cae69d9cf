package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.Uninterruptibly;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A proactor loop's own {@link AsynchronousChannelGroup}: NIO.2 waits for I/O and performs it on the
 * group's threads, a fixed pool of daemon threads named {@code loopkit-proactor-<loopId>-<n>}, which
 * only hand completions to the loop. Made on first network use, so a loop without sockets has no
 * such threads. {@link #close()} shuts the group down, which closes every channel still open in it,
 * and waits until its threads have ended: a closed loop leaves no thread and no descriptor behind.
 */
final class CompletionGroup {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    /** How long close() waits for the threads; they only finish the completion at hand, so this is generous. */
    private static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String threadPrefix;
    private final int threadCount;
    // Guarded by this. Every thread the group made (it replaces one that dies), to join them at close.
    private final List<Thread> threads = new ArrayList<>();
    private AsynchronousChannelGroup group;
    private boolean closed;

    CompletionGroup(String threadPrefix, int threadCount) {
        this.threadPrefix = threadPrefix;
        this.threadCount = threadCount;
    }

    /**
     * The group, made on first use. Any thread.
     *
     * @throws IllegalStateException "Event loop is closed" once {@link #close()} began
     * @throws IOException naming the system's error, when the group cannot be made (no descriptor left)
     */
    synchronized AsynchronousChannelGroup get() throws IOException {
        if (closed) {
            throw new IllegalStateException("Event loop is closed");
        }
        if (group == null) {
            try {
                group = AsynchronousChannelGroup.withFixedThreadPool(threadCount, this::newThread);
            } catch (IOException e) {
                throw new IOException("cannot create the loop's asynchronous channel group: " + e.getMessage(), e);
            }
        }
        return group;
    }

    private synchronized Thread newThread(Runnable task) {
        Thread thread = new Thread(task, threadPrefix + threads.size());
        thread.setDaemon(true);
        threads.add(thread);
        return thread;
    }

    /**
     * Shuts the group down (closing its channels; their pending operations fail, and the loop,
     * closed by now, drops those completions) and waits for its threads to end. The caller's
     * interrupt status is kept, but does not cut the wait short: the point is that nothing is left.
     */
    void close() {
        AsynchronousChannelGroup closing;
        synchronized (this) {
            closed = true;
            closing = group;
        }
        if (closing == null) {
            return;
        }
        try {
            closing.shutdownNow();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "shutting down " + threadPrefix + "*", e);
        }
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
        boolean interrupted = false;
        try {
            interrupted |= awaitTermination(closing, deadline);
            List<Thread> made;
            synchronized (this) {
                made = List.copyOf(threads);
            }
            for (Thread thread : made) {
                join(thread, deadline);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The loop became garbage unclosed (asyncio's {@code __del__}): shuts the group down, closing what is
     * still open in it, without waiting for its threads, as the caller may be any thread. The group
     * reaches nothing of the loop, so only this ended its threads: a dropped loop that had used the
     * network kept two threads and three descriptors for good (DroppedLoopRetentionContract).
     */
    void shutDownDropped() {
        AsynchronousChannelGroup dropping;
        synchronized (this) {
            closed = true;
            dropping = group;
        }
        if (dropping != null) {
            try {
                dropping.shutdownNow();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "shutting down " + threadPrefix + "*", e);
            }
        }
    }

    // Returns whether the wait was interrupted (and went on).
    private boolean awaitTermination(AsynchronousChannelGroup closing, long deadline) {
        boolean interrupted = false;
        while (true) {
            try {
                if (!closing.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.log(Level.WARNING, "the threads {0}* did not end within {1} s", threadPrefix,
                            TimeUnit.NANOSECONDS.toSeconds(CLOSE_TIMEOUT_NANOS));
                }
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    // The group is terminated once its threads left their last task; join so that they are really gone.
    private static void join(Thread thread, long deadline) {
        if (!Uninterruptibly.join(thread, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())))) {
            LOG.log(Level.WARNING, "thread {0} did not end", thread.getName());
        }
    }
}
