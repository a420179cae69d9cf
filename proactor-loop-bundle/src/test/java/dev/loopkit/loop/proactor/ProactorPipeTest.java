package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.PipeContract;

/** asyncio's connect_read_pipe and connect_write_pipe on the proactor loop. */
public class ProactorPipeTest extends PipeContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }
}
