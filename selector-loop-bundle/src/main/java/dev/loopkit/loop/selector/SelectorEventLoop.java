package dev.loopkit.loop.selector;

import dev.loopkit.loop.core.BaseEventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * asyncio's {@code SelectorEventLoop}: waits in a java.nio {@link Selector}, which
 * {@link #callSoonThreadsafe(Runnable)} wakes through {@link Selector#wakeup()}.
 */
public class SelectorEventLoop extends BaseEventLoop {

    private final Selector selector;
    // One method reference for the life of the loop: selecting allocates nothing.
    private final Consumer<SelectionKey> onSelected = this::processKey;

    /** A loop on the platform's default selector (epoll on Linux). */
    public SelectorEventLoop() {
        this(SelectorProvider.provider());
    }

    public SelectorEventLoop(SelectorProvider provider) {
        try {
            selector = provider.openSelector();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
    }

    @Override
    protected void poll(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            selector.selectNow(onSelected);
        } else if (timeoutNanos < 0) {
            selector.select(onSelected);
        } else {
            // Round up: waking a little late is fine, early would spin until the timer is due.
            long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999));
            selector.select(onSelected, millis);
        }
    }

    @Override
    protected void wakeup() {
        selector.wakeup();
    }

    @Override
    protected void closeResources() throws IOException {
        selector.close();
    }

    private void processKey(SelectionKey key) {
        // Channels arrive with the I/O support; the selector has no keys of its own.
    }
}
