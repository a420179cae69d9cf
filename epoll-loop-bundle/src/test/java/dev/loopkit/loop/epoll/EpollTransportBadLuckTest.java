package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.TransportBadLuckContract;

/** The outside review's streams and TCP transport cases on the epoll loop. */
public class EpollTransportBadLuckTest extends TransportBadLuckContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
