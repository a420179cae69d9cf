package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.DatagramContract;

/** UDP on the selector loop: its own selector watches the {@code DatagramChannel}s. */
public class SelectorDatagramTest extends DatagramContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
