package dev.loopkit.loop.core;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The sockets a loop made for connections whose transport does not exist yet: from the socket's opening
 * until a transport takes it or the connect gives it up, they are closed with the loop as a transport is.
 * A loop closed while a connect waited for its peer, or between the connect and the transport's start (a
 * callback later), left the socket open, and the peer's end with it (an outside review; asyncio's go when
 * collected, with a ResourceWarning). Loop thread only, or any thread while the loop does not run.
 */
final class ConnectingSockets implements LoopResource {

    private final Map<Object, Runnable> closers = new IdentityHashMap<>();

    /** {@code socket} is the loop's until {@link #handedOver}; {@code close} closes it (and what watches it). */
    void opened(Object socket, Runnable close) {
        closers.put(socket, close);
    }

    /** A transport took {@code socket}, or it was closed: no longer this set's to close. */
    void handedOver(Object socket) {
        closers.remove(socket);
    }

    @Override
    public void release() {
        for (Runnable close : new ArrayList<>(closers.values())) {
            close.run();
        }
        closers.clear();
    }
}
