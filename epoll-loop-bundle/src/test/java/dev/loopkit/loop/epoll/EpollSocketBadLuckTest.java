package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.SocketBadLuckContract;

/** The socket API and servers with bad luck and bad input on the epoll loop. */
public class EpollSocketBadLuckTest extends SocketBadLuckContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Override
    protected boolean ipv6ServersServeIpv6Alone() {
        return true;
    }
}
