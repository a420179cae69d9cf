package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LargeReadsContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;

/** Reads into a heap buffer of many MiB on this loop. */
public class ProactorLargeReadsTest extends LargeReadsContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        return ((ProactorEventLoop) loop).openSocketChannel();
    }
}
