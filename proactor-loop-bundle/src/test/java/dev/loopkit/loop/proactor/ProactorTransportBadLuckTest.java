package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.TransportBadLuckContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;

/** The outside review's streams and TCP transport cases on the proactor loop. */
public class ProactorTransportBadLuckTest extends TransportBadLuckContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    @Override
    protected NetworkChannel openSockChannel() throws IOException {
        return ((ProactorEventLoop) loop).openSocketChannel();
    }

    @Override
    protected NetworkChannel openListeningSocket() throws IOException {
        return ProactorSockets.listener((ProactorEventLoop) loop);
    }
}
