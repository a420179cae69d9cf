package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.SendfileContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import org.junit.Before;

/**
 * sendfile on the epoll loop: skipped (not failed) while the loop refuses java.nio channels and
 * sockets, run as soon as it serves them.
 */
public class EpollSendfileTest extends SendfileContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Before
    public void assumeTheLoopServesSockets() throws IOException {
        ChannelSupport.assumeTheLoopWatchesChannels(loop);
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
