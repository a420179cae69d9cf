package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.TimerProperties;

class EpollTimerPropertiesTest extends TimerProperties {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
