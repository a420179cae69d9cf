package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.StreamReaderProperties;

class StreamReaderPropertyTest extends StreamReaderProperties {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
