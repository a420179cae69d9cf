package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.DatagramContract;

/** UDP on the epoll loop: a {@code DatagramChannel} through its helper selector thread. */
public class EpollDatagramTest extends DatagramContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
