package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.DatagramContract;
import java.io.IOException;
import org.junit.Before;

/** UDP on the epoll loop, through its readiness on java.nio channels: runs as soon as it watches them. */
public class EpollDatagramTest extends DatagramContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Before
    public void assumeTheLoopWatchesChannels() throws IOException {
        ChannelSupport.assumeTheLoopWatchesChannels(loop);
    }
}
