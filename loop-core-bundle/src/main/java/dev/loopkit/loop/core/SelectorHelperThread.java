package dev.loopkit.loop.core;

import java.io.IOException;
import java.nio.channels.Selector;

/**
 * A {@link HelperThread} that waits in a {@link Selector} of its own: the proactor's datagram channels
 * ({@link ChannelPoller}) and the epoll loop's JDK channels. Woken through the selector, which it closes
 * itself when its loop was dropped.
 *
 * @param <O> the owner, reached only through {@link #owner()}
 */
public abstract class SelectorHelperThread<O> extends HelperThread<O> {

    protected final Selector selector;

    protected SelectorHelperThread(Selector selector, O owner, String name, String lostWhat) {
        super(owner, name, lostWhat);
        this.selector = selector;
    }

    @Override
    protected final void wake() {
        selector.wakeup();
    }

    @Override
    protected final void closeSet() throws IOException {
        selector.close();
    }
}
