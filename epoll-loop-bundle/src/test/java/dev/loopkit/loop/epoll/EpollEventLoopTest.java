package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.EventLoopContract;

public class EpollEventLoopTest extends EventLoopContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Override
    protected boolean watchesRawFdsOnAPollerThread() {
        return false; // its own epoll_wait watches them
    }
}
