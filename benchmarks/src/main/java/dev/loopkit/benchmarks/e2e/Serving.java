package dev.loopkit.benchmarks.e2e;

import dev.loopkit.api.DatagramTransport;
import dev.loopkit.api.Server;
import dev.loopkit.benchmarks.LoopDriver;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * What a {@link ServerWorkload} holds once it listens, on either kind of loop: the loop, the port, and
 * how to stop listening (Netty: close the bound channel; Loopkit: on the loop thread, close the server
 * and abort its clients, or close the datagram endpoint), after which the loop itself is closed.
 */
final class Serving {

    private final LoopDriver driver;
    private final int port;
    private final Channel nettyChannel;
    private final Runnable loopkitClose;

    private Serving(LoopDriver driver, int port, Channel nettyChannel, Runnable loopkitClose) {
        this.driver = driver;
        this.port = port;
        this.nettyChannel = nettyChannel;
        this.loopkitClose = loopkitClose;
    }

    /** A Netty channel bound on {@code driver}'s loop (a listening or a datagram channel). */
    static Serving netty(LoopDriver driver, Channel bound) {
        return new Serving(driver, ((InetSocketAddress) bound.localAddress()).getPort(), bound, null);
    }

    /** A Loopkit server: closing it also aborts the connections it accepted (asyncio's {@code close_clients}). */
    static Serving loopkit(LoopDriver driver, Server server) throws IOException {
        return new Serving(driver, ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort(), null, () -> {
            server.close();
            server.abortClients();
        });
    }

    /** A Loopkit datagram endpoint. */
    static Serving loopkitDatagrams(LoopDriver driver, DatagramTransport endpoint) {
        return new Serving(driver, ((InetSocketAddress) endpoint.getExtraInfo("sockname")).getPort(), null, endpoint::close);
    }

    int port() {
        return port;
    }

    void close() {
        if (nettyChannel != null) {
            nettyChannel.close().syncUninterruptibly();
        }
        if (loopkitClose != null) {
            ServerWorkload.onLoop(driver, loopkitClose);
        }
        driver.close();
    }
}
