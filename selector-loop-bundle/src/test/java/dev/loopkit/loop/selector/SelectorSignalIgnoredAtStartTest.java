package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.SignalIgnoredAtStartContract;

public class SelectorSignalIgnoredAtStartTest extends SignalIgnoredAtStartContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
