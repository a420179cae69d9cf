package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.TransportBadLuckContract;

/** The outside review's streams and TCP transport cases on the selector loop. */
public class SelectorTransportBadLuckTest extends TransportBadLuckContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
