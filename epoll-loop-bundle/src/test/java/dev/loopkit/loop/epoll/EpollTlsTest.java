package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.TlsContract;

/**
 * The TLS contract on the epoll loop: skipped (assumption) while the loop serves no sockets; it runs
 * once it does.
 */
public class EpollTlsTest extends TlsContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }
}
