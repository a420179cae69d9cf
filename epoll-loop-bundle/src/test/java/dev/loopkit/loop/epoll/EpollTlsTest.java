package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.TlsContract;

/** The TLS contract on the epoll loop: TLS over its native-socket transports. */
public class EpollTlsTest extends TlsContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
