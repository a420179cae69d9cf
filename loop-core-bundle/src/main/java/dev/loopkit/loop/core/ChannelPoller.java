package dev.loopkit.loop.core;

import dev.loopkit.api.Handle;
import dev.loopkit.loop.core.scheduling.CallbackHandle;
import dev.loopkit.loop.core.scheduling.Readiness;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Readiness of java.nio channels for a loop that does not wait in a selector itself (the proactor:
 * NIO.2 has no asynchronous datagram channel, so its UDP endpoints are {@code DatagramChannel}s
 * watched here). One helper thread per loop, {@code loopkit-channelpoller-<id>}, made on the first
 * channel, blocks in a {@link Selector} of its own and hands each readiness to the loop as a
 * {@link Readiness}, which puts the reader and writer in the ready queue: they run on the loop
 * thread, never inside another callback. As {@link FdPoller} does for raw descriptors, a channel is
 * armed one-shot: the helper clears the key's interest when it fires, and the loop re-arms it after
 * the callbacks ran, so a datagram the loop has not read yet does not fire again meanwhile
 * (level-triggered semantics without a busy helper). Closing the loop stops the thread and closes
 * the selector. As {@link FdPoller}'s, the helper holds its poller only weakly ({@link HelperThread}).
 */
public final class ChannelPoller implements ChannelReadiness {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final BaseEventLoop loop;
    private final Scheduler scheduler;
    private final Selector selector;
    private final Helper helper;
    /** Loop thread only. */
    private final Map<SelectableChannel, Interest> interests = new IdentityHashMap<>();

    /** What the loop waits for on one channel: the key's attachment. */
    private static final class Interest extends ReaderWriter {
        final SelectableChannel channel;
        SelectionKey key;

        Interest(SelectableChannel channel) {
            this.channel = channel;
        }

        int ops() {
            return (reader != null ? SelectionKey.OP_READ : 0) | (writer != null ? SelectionKey.OP_WRITE : 0);
        }
    }

    /** Opens the selector and starts the helper thread. */
    public ChannelPoller(BaseEventLoop loop) {
        this.loop = loop;
        this.scheduler = loop.scheduler();
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the channel poller's selector", e);
        }
        helper = new Helper(selector, this, "loopkit-channelpoller-" + loop.id());
        helper.start();
        loop.closeIfDropped(helper::stopDropped);
    }

    // ---- loop thread ------------------------------------------------------------------------------

    @Override
    public Handle addReader(SelectableChannel channel, Runnable callback) {
        return put(channel, callback, true);
    }

    @Override
    public Handle addWriter(SelectableChannel channel, Runnable callback) {
        return put(channel, callback, false);
    }

    @Override
    public boolean removeReader(SelectableChannel channel) {
        return remove(channel, true);
    }

    @Override
    public boolean removeWriter(SelectableChannel channel) {
        return remove(channel, false);
    }

    private Handle put(SelectableChannel channel, Runnable callback, boolean reader) {
        Interest interest = interest(channel, callback);
        CallbackHandle handle = loop.newHandle(callback);
        interest.set(reader, handle);
        arm(interest);
        return handle;
    }

    private boolean remove(SelectableChannel channel, boolean reader) {
        assert loop.inLoopThreadOrIdle() : "the channel interests are the loop thread's";
        Interest interest = interests.get(Objects.requireNonNull(channel, "channel"));
        if (interest == null || !interest.remove(reader)) {
            return false;
        }
        arm(interest);
        return true;
    }

    /** Wakes the helper, whose select then deregisters the channel's key: the JDK closes the descriptor then. */
    @Override
    public void channelClosed(SelectableChannel channel) {
        selector.wakeup();
    }

    /** How many channels are watched. */
    public int size() {
        assert loop.inLoopThreadOrIdle() : "the channel interests are the loop thread's";
        return interests.size();
    }

    private Interest interest(SelectableChannel channel, Runnable callback) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(callback, "callback");
        assert loop.inLoopThreadOrIdle() : "the channel interests are the loop thread's";
        if (!channel.isOpen()) {
            throw new IllegalArgumentException("Invalid file descriptor: " + channel + " is closed");
        }
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("the channel must be non-blocking: " + channel);
        }
        return interests.computeIfAbsent(channel, Interest::new);
    }

    // Sets the key's interest to what is still wanted (registering the channel the first time) and
    // wakes the helper, whose select applies a changed interest only when it starts again. A channel
    // nothing is wanted of keeps its key with no interest: cancelling would leave the key in the
    // selector until its next select, and the channel could not be registered again meanwhile.
    private void arm(Interest interest) {
        int ops = interest.ops();
        if (ops == 0) {
            interests.remove(interest.channel);
        }
        try {
            if (interest.key == null) {
                if (ops == 0) {
                    return;
                }
                interest.key = interest.channel.register(selector, ops, interest);
            } else {
                interest.key.interestOps(ops);
            }
        } catch (ClosedChannelException | CancelledKeyException e) {
            interests.remove(interest.channel);
            if (ops != 0) {
                throw new IllegalArgumentException("Invalid file descriptor: " + interest.channel + " is closed", e);
            }
            return; // closed behind our back: the selector dropped it already
        }
        selector.wakeup();
    }

    /** What the helper saw on one channel, on its way to the loop thread. */
    private final class ChannelReady extends Readiness {
        private final Interest interest;
        private final int readyOps;

        ChannelReady(Interest interest, int readyOps) {
            this.interest = interest;
            this.readyOps = readyOps;
        }

        @Override
        protected void deliver(Scheduler into) {
            if (interests.get(interest.channel) != interest) {
                return; // removed while the readiness travelled
            }
            if ((readyOps & SelectionKey.OP_READ) != 0 && interest.reader != null) {
                into.addReady(interest.reader);
            }
            if ((readyOps & SelectionKey.OP_WRITE) != 0 && interest.writer != null) {
                into.addReady(interest.writer);
            }
            into.addReady(into.newHandle(() -> rearm(interest)));
        }
    }

    private void rearm(Interest interest) {
        if (interests.get(interest.channel) == interest) {
            try {
                arm(interest);
            } catch (IllegalArgumentException closedMeanwhile) {
                LOG.log(Level.DEBUG, "{0} closed while it was watched", interest.channel);
            }
        }
    }

    // ---- helper thread ------------------------------------------------------------------------------

    /** The helper thread: it holds the selector, whose keys hold no more than the channels' interests. */
    private static final class Helper extends SelectorHelperThread<ChannelPoller> {

        Helper(Selector selector, ChannelPoller poller, String name) {
            super(selector, poller, name, "its channels are");
        }

        @Override
        protected void awaitOnce() throws IOException {
            selector.select(this::fired);
        }

        // One-shot: no interest until the loop re-arms, so an unread datagram does not fire again meanwhile.
        private void fired(SelectionKey key) {
            int ready;
            try {
                ready = key.readyOps();
                key.interestOps(0);
            } catch (CancelledKeyException closed) {
                return;
            }
            ChannelPoller poller = owner();
            if (poller != null) {
                poller.scheduler.offerReadiness(poller.new ChannelReady((Interest) key.attachment(), ready));
            }
        }
    }

    /** Stops the helper thread and closes the selector; loop thread, when the loop closes. */
    public void close() {
        assert loop.inLoopThreadOrIdle() : "the channel interests are the loop thread's";
        helper.stopClosing();
        Uninterruptibly.join(helper.thread, 10_000);
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing the channel poller of " + loop, e);
        }
        interests.values().forEach(ReaderWriter::cancelBoth);
        interests.clear();
    }
}
