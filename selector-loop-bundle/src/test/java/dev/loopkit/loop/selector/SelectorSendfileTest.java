package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.SendfileContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;

/** sendfile on the selector loop: zero-copy, {@code FileChannel.transferTo} into the socket. */
public class SelectorSendfileTest extends SendfileContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }

    @Override
    protected boolean sendsFilesZeroCopy() {
        return true;
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        SocketChannel socket = SocketChannel.open();
        socket.configureBlocking(false);
        return socket;
    }
}
