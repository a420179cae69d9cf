package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.ChannelHandles;
import dev.loopkit.loop.core.ChannelInterests;
import dev.loopkit.loop.core.SelectorHelperThread;
import dev.loopkit.loop.core.Uninterruptibly;
import dev.loopkit.loop.core.scheduling.CallbackHandle;
import dev.loopkit.loop.core.scheduling.Readiness;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The java.nio channels a user hands the epoll loop ({@code addReader(SelectableChannel)},
 * {@code sock*} on JDK sockets): the loop's own wait cannot see them (the JDK gives out no
 * descriptor of a channel), so a helper thread selects on a {@link Selector} of their own and hands
 * each readiness to the loop thread as a {@link Readiness}, as the selector loop's poller does for raw
 * descriptors the other way round. A selected key is disarmed until its callbacks ran, then re-armed,
 * so a channel the loop has not read yet does not fire again meanwhile.
 *
 * <p>The thread and its selector are made with the first channel watched and end with the loop: a
 * loop that serves only its own sockets costs no thread. Ending them with the last channel made
 * every waiting {@code sock*} start a thread and open a selector (533 waits a second against the
 * selector loop's 6,451, and none at all one descriptor short of the limit). The helper holds the
 * loop only weakly ({@link HelperThread}).
 *
 * <p>A channel no longer watched leaves the selector at once: its key is cancelled, and the loop
 * thread waits until the helper's select has deregistered it. The JDK closes a channel registered
 * with a selector only when that selector deregisters it, and this selector's thread may wait in
 * {@code select} for as long as another channel is watched: a server socket the user closed after
 * its {@code sockAccept} still took clients (an outside review).
 */
final class ChannelWatcher implements ChannelHandles {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final EpollEventLoop loop;
    private final Scheduler scheduler;
    private final Consumer<AutoCloseable> closeIfDropped;
    /** The helper and its selector, from the first watched channel until the loop closes. Loop thread only. */
    private Session session;

    ChannelWatcher(EpollEventLoop loop, Scheduler scheduler, Consumer<AutoCloseable> closeIfDropped) {
        this.loop = loop;
        this.scheduler = scheduler;
        this.closeIfDropped = closeIfDropped;
    }

    @Override
    public void addReader(SelectableChannel channel, CallbackHandle handle) {
        Session current = start();
        current.interests.addReader(channel, handle);
        current.selector.wakeup(); // its select applies a changed interest when it starts again
    }

    @Override
    public void addWriter(SelectableChannel channel, CallbackHandle handle) {
        Session current = start();
        current.interests.addWriter(channel, handle);
        current.selector.wakeup();
    }

    @Override
    public boolean removeReader(SelectableChannel channel) {
        Session current = session;
        if (current == null) {
            return false;
        }
        boolean removed = current.interests.removeReader(channel);
        current.changed(channel);
        return removed;
    }

    @Override
    public boolean removeWriter(SelectableChannel channel) {
        Session current = session;
        if (current == null) {
            return false;
        }
        boolean removed = current.interests.removeWriter(channel);
        current.changed(channel);
        return removed;
    }

    @Override
    public int watched() {
        Session current = session;
        return current == null ? 0 : current.interests.watched();
    }

    /** A watched channel was closed: the helper's selector must select again to let the JDK close its descriptor. */
    void channelClosed() {
        Session current = session;
        if (current != null) {
            current.selector.wakeup();
        }
    }

    /** Ends the helper thread and closes its selector, if any: when the loop closes. */
    void close() {
        Session current = session;
        if (current != null) {
            session = null;
            current.close();
        }
    }

    private Session start() {
        if (session == null) {
            session = new Session();
        }
        return session;
    }

    /** The helper thread with its selector. */
    private final class Session {

        final Selector selector;
        final ChannelInterests interests;
        final Helper helper;

        Session() {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the selector for java.nio channels", e);
            }
            interests = new ChannelInterests(loop, selector);
            helper = new Helper(selector, ChannelWatcher.this, "loopkit-channels-" + loop.id());
            helper.start();
            closeIfDropped.accept(helper::stopDropped);
        }

        /** After a removal: a channel still watched keeps its key; one no longer watched leaves the selector now. */
        void changed(SelectableChannel channel) {
            SelectionKey key = channel.keyFor(selector);
            if (interests.watches(channel) || key == null) {
                selector.wakeup();
                return;
            }
            key.cancel();
            helper.awaitDeregistration();
        }

        void close() {
            helper.stopClosing();
            Uninterruptibly.join(helper.thread(), 10_000);
            try {
                selector.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing the channel selector of " + loop, e);
            }
        }
    }

    /** The helper thread: it holds the selector and counts its selects, and reaches the loop only weakly. */
    private static final class Helper extends SelectorHelperThread<ChannelWatcher> {
        /** Selects returned so far: each one's start deregistered the keys cancelled before it. */
        private final AtomicLong selects = new AtomicLong();
        private volatile Thread awaiting;

        Helper(Selector selector, ChannelWatcher owner, String name) {
            super(selector, owner, name, "its java.nio channels are");
        }

        @Override
        protected void awaitOnce() throws IOException {
            selector.select(this::fired);
            selects.incrementAndGet();
            Thread waiter = awaiting;
            if (waiter != null) {
                LockSupport.unpark(waiter);
            }
        }

        private void fired(SelectionKey key) {
            int ready;
            try {
                ready = key.readyOps();
            } catch (CancelledKeyException noLongerWatched) {
                return; // the loop thread cancelled it meanwhile
            }
            if (!ChannelInterests.disarm(key)) {
                return;
            }
            ChannelWatcher watcher = owner();
            Session from = watcher == null ? null : watcher.session;
            if (from != null) {
                watcher.scheduler.offerReadiness(watcher.new KeyReadiness(from, key, ready));
            }
        }

        /**
         * Loop thread: returns once a select that began after this call has returned, so that the keys
         * cancelled before the call are deregistered. The select under way when it is called may have
         * begun before the cancel: the one after it is what counts.
         */
        void awaitDeregistration() {
            long target = selects.get() + 2;
            awaiting = Thread.currentThread();
            try {
                while (selects.get() < target && thread().isAlive()) {
                    selector.wakeup();
                    LockSupport.parkNanos(this, 1_000_000);
                }
            } finally {
                awaiting = null;
            }
        }
    }

    /** What the helper thread saw on one key, on its way to the loop thread. */
    private final class KeyReadiness extends Readiness {
        private final Session from;
        private final SelectionKey key;
        private final int ready;

        KeyReadiness(Session from, SelectionKey key, int ready) {
            this.from = from;
            this.key = key;
            this.ready = ready;
        }

        @Override
        protected void deliver(Scheduler scheduler) {
            if (session != from) {
                return; // that helper has ended: its keys went with its selector
            }
            from.interests.process(key, ready);
            scheduler.addReady(scheduler.newHandle(() -> {
                if (session == from) {
                    from.interests.rearm(key);
                    from.selector.wakeup();
                }
            }));
        }
    }
}
