package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.TimerProperties;

class SelectorTimerPropertiesTest extends TimerProperties {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
