package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.BufferedProtocolBuffersContract;

/** A buffered protocol's buffers of every kind on the epoll loop. */
public class EpollBufferedProtocolBuffersTest extends BufferedProtocolBuffersContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
