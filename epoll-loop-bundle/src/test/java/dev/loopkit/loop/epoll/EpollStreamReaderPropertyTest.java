package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.StreamReaderProperties;

/** The stream reader's properties over the epoll loop's native TCP sockets. */
class EpollStreamReaderPropertyTest extends StreamReaderProperties {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
