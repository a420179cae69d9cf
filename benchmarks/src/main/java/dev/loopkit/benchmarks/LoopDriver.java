package dev.loopkit.benchmarks;

import java.util.function.IntConsumer;

/**
 * One event loop under measurement, Loopkit's or Netty's, behind the few operations the benchmarks
 * use. The loop runs on a thread of its own (Loopkit: {@code runForever} on a daemon thread;
 * Netty: its event loop thread), so both kinds are driven the same way: the benchmark thread hands
 * work in with {@link #submit} and waits for the work to say it is done.
 */
public interface LoopDriver extends AutoCloseable {

    /** What the table calls it: {@code selector}, {@code proactor}, {@code netty-nio}, {@code netty-epoll}. */
    String name();

    /** Any thread: runs {@code task} on the loop (Loopkit {@code callSoonThreadsafe}, Netty {@code execute}). */
    void submit(Runnable task);

    /** Loop thread only: runs {@code task} in a later turn of the loop (Loopkit {@code callSoon}, Netty {@code execute}). */
    void soon(Runnable task);

    /** Loop thread only: runs {@code task} after {@code delayNanos} (Loopkit {@code callLater}, Netty {@code schedule}). */
    void later(long delayNanos, Runnable task);

    /**
     * Loop thread only: a new future of the loop (Loopkit {@code createFuture}, Netty {@code newPromise}),
     * given a done callback that receives its value, then completed with {@code value}.
     */
    void completeFuture(int value, IntConsumer doneCallback);

    /** Stops the loop, waits for its thread and releases it. */
    @Override
    void close();
}
