package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LargeHeapBuffersContract;
import java.io.IOException;
import java.nio.channels.NetworkChannel;

/** Writes of many MiB from a heap buffer, and reads into one, on this loop. */
public class ProactorLargeHeapBuffersTest extends LargeHeapBuffersContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    @Override
    protected NetworkChannel openStreamSocket() throws IOException {
        return ((ProactorEventLoop) loop).openSocketChannel();
    }
}
