package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.HostBadLuckContract;

/** {@link HostBadLuckContract} on the selector loop. */
public class SelectorHostBadLuckTest extends HostBadLuckContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
