package dev.loopkit.benchmarks;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.BaseEventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/** A Loopkit loop running forever on a daemon thread of its own. */
public final class LoopkitDriver implements LoopDriver {

    private final String name;
    private final BaseEventLoop loop;
    private final Thread thread;

    public LoopkitDriver(String name, BaseEventLoop loop) {
        this.name = name;
        this.loop = loop;
        CountDownLatch running = new CountDownLatch(1);
        loop.callSoon(running::countDown);
        thread = new Thread(loop::runForever, "bench-loop-" + name);
        thread.setDaemon(true);
        thread.start();
        try {
            if (!running.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " loop did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public BaseEventLoop loop() {
        return loop;
    }

    public Thread thread() {
        return thread;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void submit(Runnable task) {
        loop.callSoonThreadsafe(task);
    }

    @Override
    public void soon(Runnable task) {
        loop.callSoon(task);
    }

    @Override
    public void later(long delayNanos, Runnable task) {
        loop.callLater(delayNanos / 1e9, task);
    }

    @Override
    public void completeFuture(int value, IntConsumer doneCallback) {
        LoopFuture<Integer> future = loop.createFuture();
        future.addDoneCallback(f -> doneCallback.accept(f.result()));
        future.setResult(value);
    }

    @Override
    public void close() {
        loop.stop();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.close();
    }
}
