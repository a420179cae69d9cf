package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.FutureChainContract;

public class EpollFutureChainTest extends FutureChainContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
