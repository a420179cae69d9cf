package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.BufferedProtocolBuffersContract;

/** A buffered protocol's buffers of every kind on the selector loop. */
public class SelectorBufferedProtocolBuffersTest extends BufferedProtocolBuffersContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
