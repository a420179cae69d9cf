package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.DatagramContract;

/** UDP on the proactor loop: {@code DatagramChannel}s on its channel poller's helper selector (NIO.2 has no asynchronous datagram channel). */
public class ProactorDatagramTest extends DatagramContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }
}
