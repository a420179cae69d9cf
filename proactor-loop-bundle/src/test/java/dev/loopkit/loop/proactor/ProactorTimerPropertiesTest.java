package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.TimerProperties;

class ProactorTimerPropertiesTest extends TimerProperties {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }
}
