package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.SocketBadLuckContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;

/** The socket API and servers with bad luck and bad input on the proactor loop. */
public class ProactorSocketBadLuckTest extends SocketBadLuckContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        return ((ProactorEventLoop) loop).openSocketChannel();
    }

    @Override
    protected NetworkChannel openListeningSocket() throws IOException {
        return ProactorSockets.listener((ProactorEventLoop) loop);
    }

    @Override
    protected boolean servesUnixSockets() {
        return false; // NIO.2 has no asynchronous Unix-domain channel
    }

    @Override
    protected boolean sockOperationsTakeSocketChannels() {
        return false; // its sock* take AsynchronousSocketChannels
    }

    @Override
    protected boolean serverSocketsTakeTheirAddressFamily() {
        return false; // AsynchronousServerSocketChannel.open takes no family: see ASYNCIO-DIFFERENCES
    }
}
