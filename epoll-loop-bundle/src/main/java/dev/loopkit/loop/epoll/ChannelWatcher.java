package dev.loopkit.loop.epoll;

import dev.loopkit.loop.core.ChannelInterests;
import dev.loopkit.loop.core.ChannelHandles;
import dev.loopkit.loop.core.Uninterruptibly;
import dev.loopkit.loop.core.scheduling.CallbackHandle;
import dev.loopkit.loop.core.scheduling.Readiness;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * The java.nio channels a user hands the epoll loop ({@code addReader(SelectableChannel)},
 * {@code sock*} on JDK sockets): the loop's own wait cannot see them (the JDK gives out no
 * descriptor of a channel), so a helper thread selects on a {@link Selector} of their own and hands
 * each readiness to the loop thread as a {@link Readiness}, as the selector loop's poller does for raw
 * descriptors the other way round. A selected key is disarmed until its callbacks ran, then re-armed,
 * so a channel the loop has not read yet does not fire again meanwhile.
 *
 * <p>The thread and its selector exist only while a channel is watched: made with the first reader
 * or writer, ended (and joined) with the last, and when the loop closes. A loop that serves only
 * its own sockets costs no thread.
 */
final class ChannelWatcher implements ChannelHandles {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final EpollEventLoop loop;
    private final Scheduler scheduler;
    /** The running helper, or {@code null} while no channel is watched. Loop thread only. */
    private Session session;

    ChannelWatcher(EpollEventLoop loop, Scheduler scheduler) {
        this.loop = loop;
        this.scheduler = scheduler;
    }

    @Override
    public void addReader(SelectableChannel channel, CallbackHandle handle) {
        Session current = start();
        try {
            current.interests.addReader(channel, handle);
        } finally {
            current.changed();
        }
    }

    @Override
    public void addWriter(SelectableChannel channel, CallbackHandle handle) {
        Session current = start();
        try {
            current.interests.addWriter(channel, handle);
        } finally {
            current.changed();
        }
    }

    @Override
    public boolean removeReader(SelectableChannel channel) {
        Session current = session;
        if (current == null) {
            return false;
        }
        boolean removed = current.interests.removeReader(channel);
        current.changed();
        return removed;
    }

    @Override
    public boolean removeWriter(SelectableChannel channel) {
        Session current = session;
        if (current == null) {
            return false;
        }
        boolean removed = current.interests.removeWriter(channel);
        current.changed();
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
            current.stop();
        }
    }

    private Session start() {
        if (session == null) {
            session = new Session();
        }
        return session;
    }

    /** One helper thread with its selector, from the first watched channel to the last. */
    private final class Session implements Runnable {

        final Selector selector;
        final ChannelInterests interests;
        final Thread thread;
        volatile boolean stopping;

        Session() {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the selector for java.nio channels", e);
            }
            interests = new ChannelInterests(loop, selector);
            thread = new Thread(this, "loopkit-channels-" + loop.id());
            thread.setDaemon(true);
            thread.start();
        }

        /** After a change of interests: the select in progress picks it up, or, with none left, the thread ends. */
        void changed() {
            if (interests.watched() == 0) {
                stop();
            } else {
                selector.wakeup();
            }
        }

        void stop() {
            session = null;
            stopping = true;
            selector.wakeup();
            Uninterruptibly.join(thread, 10_000);
        }

        @Override
        public void run() {
            try {
                while (!stopping) {
                    selector.select(key -> {
                        int ready = key.readyOps();
                        if (ChannelInterests.disarm(key)) {
                            scheduler.offerReadiness(new KeyReadiness(this, key, ready));
                        }
                    });
                }
            } catch (IllegalStateException loopClosed) { // ClosedSelectorException included
                // the loop closed while a readiness was on its way: nothing left to tell
            } catch (IOException e) {
                LOG.log(Level.ERROR, "select failed on " + loop + "; its java.nio channels are no longer watched", e);
            } finally {
                try {
                    selector.close();
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, "closing the channel selector of " + loop, e);
                }
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
