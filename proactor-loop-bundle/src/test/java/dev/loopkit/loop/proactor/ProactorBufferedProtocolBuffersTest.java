package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.BufferedProtocolBuffersContract;

/** A buffered protocol's buffers of every kind on the proactor loop. */
public class ProactorBufferedProtocolBuffersTest extends BufferedProtocolBuffersContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }
}
