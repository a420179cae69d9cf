package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.TlsContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;

/** The TLS contract on the proactor loop. */
public class ProactorTlsTest extends TlsContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    @Override
    protected NetworkChannel openListeningSocket() throws IOException {
        return ProactorSockets.listener((ProactorEventLoop) loop);
    }
}
