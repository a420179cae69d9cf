package dev.loopkit.loop.epoll;

import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * Makes {@code Thread.interrupt()} end a native wait, as it ends a java.nio {@code select}: the JDK's
 * hook for that is {@link AbstractSelector#begin()}/{@link AbstractSelector#end()}, which call
 * {@link #wakeup()} when the thread is interrupted during the wait (or was before it). This selector
 * selects nothing: it only carries that hook to the loop's own wake-up. (Without it, interrupting
 * an epoll loop thread that waits without a timeout did nothing: the contract's
 * {@code interruptingTheLoopThreadStopsTheLoop} hung.)
 */
final class InterruptibleWait extends AbstractSelector {

    private final Runnable wake;

    InterruptibleWait(Runnable wake) {
        super(SelectorProvider.provider());
        this.wake = wake;
    }

    /** Before a wait that may block: an interrupt from now on (or one already pending) wakes it. */
    void enter() {
        begin();
    }

    /** After the wait. */
    void exit() {
        end();
    }

    @Override
    public Selector wakeup() {
        wake.run();
        return this;
    }

    @Override
    protected void implCloseSelector() {
        // nothing of its own to close
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel channel, int ops, Object attachment) {
        throw new UnsupportedOperationException("selects nothing");
    }

    @Override
    public Set<SelectionKey> keys() {
        return Set.of();
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        return Set.of();
    }

    @Override
    public int selectNow() {
        return 0;
    }

    @Override
    public int select(long timeout) {
        return 0;
    }

    @Override
    public int select() {
        return 0;
    }
}
