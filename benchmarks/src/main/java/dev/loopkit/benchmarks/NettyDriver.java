package dev.loopkit.benchmarks;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/** One Netty event loop (a group of one thread), driven as {@link LoopDriver} says. */
public final class NettyDriver implements LoopDriver {

    private final String name;
    private final EventLoopGroup group;
    private final EventLoop loop;

    public NettyDriver(String name, EventLoopGroup group) {
        this.name = name;
        this.group = group;
        this.loop = group.next();
    }

    public EventLoopGroup group() {
        return group;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void submit(Runnable task) {
        loop.execute(task);
    }

    @Override
    public void soon(Runnable task) {
        loop.execute(task);
    }

    @Override
    public void later(long delayNanos, Runnable task) {
        loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void completeFuture(int value, IntConsumer doneCallback) {
        Promise<Integer> promise = loop.newPromise();
        promise.addListener(f -> doneCallback.accept(promise.getNow()));
        promise.setSuccess(value);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
