package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.DroppedLoopRetentionContract;

public class ProactorDroppedLoopRetentionTest extends DroppedLoopRetentionContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }
}
