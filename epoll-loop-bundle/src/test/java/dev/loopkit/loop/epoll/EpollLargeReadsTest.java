package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LargeReadsContract;

/** Reads into a heap buffer of many MiB on this loop. */
public class EpollLargeReadsTest extends LargeReadsContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
