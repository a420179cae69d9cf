package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.DeliveryContract;

public class EpollDeliveryTest extends DeliveryContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
