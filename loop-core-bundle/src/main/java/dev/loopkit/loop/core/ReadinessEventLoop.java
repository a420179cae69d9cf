package dev.loopkit.loop.core;

import dev.loopkit.api.LoopFuture;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.util.Objects;

/**
 * A loop that watches java.nio channels for readiness, as asyncio's {@code SelectorEventLoop}
 * does: {@code addReader}/{@code addWriter} on channels, and the {@code sock*} operations on
 * non-blocking JDK sockets built on them. The subclass says where its channel interests live.
 */
public abstract class ReadinessEventLoop extends BaseEventLoop {

    /** The loop's readers and writers on channels. */
    protected abstract ChannelReadiness channels();

    @Override
    public void addReader(SelectableChannel channel, Runnable callback) {
        checkCanWatch(channel, callback);
        channels().addReader(channel, newHandle(callback));
    }

    @Override
    public boolean removeReader(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel");
        return !isClosed() && channels().removeReader(channel);
    }

    @Override
    public void addWriter(SelectableChannel channel, Runnable callback) {
        checkCanWatch(channel, callback);
        channels().addWriter(channel, newHandle(callback));
    }

    @Override
    public boolean removeWriter(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel");
        return !isClosed() && channels().removeWriter(channel);
    }

    private void checkCanWatch(SelectableChannel channel, Runnable callback) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        checkThread();
    }

    @Override
    protected int watchedChannels() {
        return channels().watched();
    }

    @Override
    public LoopFuture<Integer> sockRecv(NetworkChannel channel, ByteBuffer buffer) {
        checkClosed();
        return SocketOperations.recv(this, channel, buffer);
    }

    @Override
    public LoopFuture<Void> sockSendall(NetworkChannel channel, ByteBuffer data) {
        checkClosed();
        return SocketOperations.sendall(this, channel, data);
    }

    @Override
    public LoopFuture<NetworkChannel> sockAccept(NetworkChannel serverChannel) {
        checkClosed();
        return SocketOperations.accept(this, serverChannel);
    }

    @Override
    public LoopFuture<Void> sockConnect(NetworkChannel channel, SocketAddress address) {
        checkClosed();
        return SocketOperations.connect(this, channel, address);
    }
}
