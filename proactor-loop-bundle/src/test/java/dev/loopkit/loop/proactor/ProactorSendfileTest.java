package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.SendfileContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;

/** sendfile on the proactor loop: asyncio's fallback, its sockets being NIO.2 asynchronous channels. */
public class ProactorSendfileTest extends SendfileContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    @Override
    protected boolean sendsFilesZeroCopy() {
        return false;
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        return ((ProactorEventLoop) loop).openSocketChannel();
    }
}
