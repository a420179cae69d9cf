package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LargeWritesContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;

/** Writes of many MiB from a heap buffer on this loop. */
public class EpollLargeWritesTest extends LargeWritesContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        SocketChannel socket = SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
    }
}
