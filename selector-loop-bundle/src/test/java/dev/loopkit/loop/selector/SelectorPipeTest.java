package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.PipeContract;

/** asyncio's connect_read_pipe and connect_write_pipe on the selector loop. */
public class SelectorPipeTest extends PipeContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
