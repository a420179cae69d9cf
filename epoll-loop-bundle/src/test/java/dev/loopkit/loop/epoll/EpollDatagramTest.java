package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.DatagramContract;

/** UDP on the epoll loop: endpoints on native sockets in its epoll set; {@code sock*} on JDK channels through its helper selector. */
public class EpollDatagramTest extends DatagramContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Override
    protected boolean connectedEndpointsSendEmptyDatagrams() {
        return true; // its own sockets: sendto(2) with no bytes
    }
}
