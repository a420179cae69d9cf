package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.PipeContract;

/** asyncio's connect_read_pipe and connect_write_pipe on the epoll loop. */
public class EpollPipeTest extends PipeContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
