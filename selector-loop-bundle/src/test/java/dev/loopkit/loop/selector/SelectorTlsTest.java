package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.TlsContract;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;

/** The TLS contract on the selector loop. */
public class SelectorTlsTest extends TlsContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }

    @Override
    protected NetworkChannel openListeningSocket() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(LOCALHOST, 0));
        listener.configureBlocking(false);
        return listener;
    }
}
