package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LargeHeapBuffersContract;

/** Writes of many MiB from a heap buffer, and reads into one, on this loop. */
public class EpollLargeHeapBuffersTest extends LargeHeapBuffersContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
