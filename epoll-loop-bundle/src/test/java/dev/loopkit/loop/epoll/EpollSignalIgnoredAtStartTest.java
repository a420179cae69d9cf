package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.SignalIgnoredAtStartContract;

public class EpollSignalIgnoredAtStartTest extends SignalIgnoredAtStartContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
