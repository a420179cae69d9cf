package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LargeReadsContract;

/** Reads into a heap buffer of many MiB on this loop. */
public class SelectorLargeReadsTest extends LargeReadsContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
