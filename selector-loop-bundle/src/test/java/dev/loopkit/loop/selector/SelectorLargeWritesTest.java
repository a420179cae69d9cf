package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LargeWritesContract;

/** Writes of many MiB from a heap buffer on this loop. */
public class SelectorLargeWritesTest extends LargeWritesContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
