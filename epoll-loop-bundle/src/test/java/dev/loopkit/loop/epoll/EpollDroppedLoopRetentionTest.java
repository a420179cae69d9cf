package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.DroppedLoopRetentionContract;

public class EpollDroppedLoopRetentionTest extends DroppedLoopRetentionContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
