package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.HostBadLuckContract;

/** {@link HostBadLuckContract} on the epoll loop. */
public class EpollHostBadLuckTest extends HostBadLuckContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
