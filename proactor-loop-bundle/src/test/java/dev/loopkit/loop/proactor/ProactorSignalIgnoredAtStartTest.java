package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.SignalIgnoredAtStartContract;

public class ProactorSignalIgnoredAtStartTest extends SignalIgnoredAtStartContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }
}
