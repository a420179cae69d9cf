package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LargeWritesContract;

/** Writes of many MiB from a heap buffer on this loop. */
public class EpollLargeWritesTest extends LargeWritesContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
