package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.SendfileContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;

/** sendfile on the epoll loop: through the transport's write buffer (asyncio's fallback) on its native sockets. */
public class EpollSendfileTest extends SendfileContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    /** Its transports write through their buffer (asyncio's fallback) unless they hand out a {@code zeroCopyChannel()}. */
    @Override
    protected boolean sendsFilesZeroCopy() {
        return false;
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        SocketChannel socket = SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
    }
}
