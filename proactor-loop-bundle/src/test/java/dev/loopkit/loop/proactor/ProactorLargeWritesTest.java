package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LargeWritesContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;

/** Writes of many MiB from a heap buffer on this loop. */
public class ProactorLargeWritesTest extends LargeWritesContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        return ((ProactorEventLoop) loop).openSocketChannel();
    }
}
