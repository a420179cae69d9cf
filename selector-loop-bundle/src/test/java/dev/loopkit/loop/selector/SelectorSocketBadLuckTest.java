package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.SocketBadLuckContract;

/** The socket API and servers with bad luck and bad input on the selector loop. */
public class SelectorSocketBadLuckTest extends SocketBadLuckContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }
}
