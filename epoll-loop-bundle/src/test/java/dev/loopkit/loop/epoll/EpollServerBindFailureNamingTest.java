package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.testing.SocketTestSupport;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.junit.Test;

/**
 * The address a server with no host names when its bind fails on the epoll loop (an outside review). asyncio 3.13, with the
 * port taken on IPv6 alone ([::]:P with IPV6_V6ONLY), binds ('0.0.0.0', P) fine and fails on '::':
 * OSError(98, "error while attempting to bind on address ('::', P, 0, 0): [errno 98] address already in use")
 * (checked with CPython 3.13.0 here). The epoll loop named ('0.0.0.0', P), an address that is free.
 */
public class EpollServerBindFailureNamingTest extends SocketTestSupport {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Test
    public void aServerWithNoHostOnAPortTakenOnIpv6AloneNamesTheIpv6Address() throws Exception {
        Server v6only = runFor(loop.createServer(() -> new Protocol() { }, "::", 0).toCompletableFuture());
        try {
            int port = ((InetSocketAddress) v6only.sockets().get(0).localAddress()).getPort();
            CompletableFuture<Object> settled = loop.createServer(() -> new Protocol() { }, null, port)
                    .toCompletableFuture().handle((ok, failed) -> failed == null ? ok : Networks.unwrap(failed));
            Object error = runFor(settled);
            if (error instanceof Server s) {
                s.close();
            }
            assertTrue(String.valueOf(error), error instanceof Throwable);
            assertEquals("error while attempting to bind on address ('::', " + port + ", 0, 0): address already in use",
                    ((Throwable) error).getMessage());
        } finally {
            v6only.close();
            runFor(v6only.waitClosed().toCompletableFuture());
        }
    }
}
