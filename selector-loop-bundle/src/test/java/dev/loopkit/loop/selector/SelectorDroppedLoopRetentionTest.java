package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.DroppedLoopRetentionContract;

public class SelectorDroppedLoopRetentionTest extends DroppedLoopRetentionContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
