package dev.loopkit.loop.proactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Sockets for the proactor's tests. */
public final class ProactorSockets {

    private ProactorSockets() {
    }

    /** A listening socket in {@code loop}'s channel group, bound to a free port of 127.0.0.1. */
    public static AsynchronousServerSocketChannel listener(ProactorEventLoop loop) throws IOException {
        AsynchronousServerSocketChannel listener = loop.openServerSocketChannel();
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        return listener;
    }

    /**
     * Connects once through a loop of its own, closed afterwards: the JDK opens a socket of its own
     * the first time a connection is made, which a test counting descriptors must not take for a leak.
     */
    public static void connectOnce() throws Exception {
        ProactorEventLoop loop = new ProactorEventLoop();
        try (AsynchronousServerSocketChannel listener = listener(loop);
                AsynchronousSocketChannel client = loop.openSocketChannel()) {
            Future<AsynchronousSocketChannel> accepted = listener.accept();
            client.connect(listener.getLocalAddress()).get(10, TimeUnit.SECONDS);
            accepted.get(10, TimeUnit.SECONDS).close();
        } finally {
            loop.close();
        }
    }
}
