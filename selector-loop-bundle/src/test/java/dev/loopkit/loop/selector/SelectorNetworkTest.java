package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.NetworkContract;

public class SelectorNetworkTest extends NetworkContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
