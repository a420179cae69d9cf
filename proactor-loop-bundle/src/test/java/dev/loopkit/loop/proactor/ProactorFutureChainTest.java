package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.FutureChainContract;

public class ProactorFutureChainTest extends FutureChainContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }
}
