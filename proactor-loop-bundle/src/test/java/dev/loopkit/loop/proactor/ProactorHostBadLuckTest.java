package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.HostBadLuckContract;

/** {@link HostBadLuckContract} on the proactor loop. */
public class ProactorHostBadLuckTest extends HostBadLuckContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    @Override
    protected java.nio.channels.NetworkChannel openSockChannel() throws java.io.IOException {
        return ((ProactorEventLoop) loop).openSocketChannel();
    }
}
