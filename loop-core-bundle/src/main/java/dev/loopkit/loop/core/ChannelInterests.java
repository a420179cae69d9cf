package dev.loopkit.loop.core;

import dev.loopkit.loop.core.scheduling.CallbackHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The readers and writers a loop has on java.nio channels, as keys of one {@link Selector}: each
 * key's attachment holds the reader's and the writer's handle, made once per
 * {@code addReader}/{@code addWriter} and reused, so readiness allocates nothing. The selector loop
 * selects on it itself; the epoll loop, whose own wait cannot see JDK channels, lets a helper thread
 * do so. Loop thread only, except {@link #disarm} (the helper thread's).
 *
 * <p>Keys are never cancelled here, only their interest cleared: a cancelled key stays in the selector
 * until the next select and would make the channel impossible to register again meanwhile (the epoll
 * loop, whose helper may not select again for long, cancels the key of a channel no longer watched and
 * waits for that select: {@link #watches}). The
 * interest set is always computed from the handles, never read back from the key (a helper thread
 * may have disarmed it).
 */
public final class ChannelInterests implements ChannelHandles {

    private final BaseEventLoop loop;
    private final Selector selector;
    /**
     * Channels with a reader or a writer, and their handles (also each key's attachment). Kept apart from
     * the keys: closing a channel cancels its key, and the next select forgets it, while asyncio's
     * {@code remove_reader} of a closed socket still finds and cancels its callback.
     */
    private final Map<SelectableChannel, Interest> interests = new IdentityHashMap<>();

    /** The handles waiting for one channel's readiness: the key's attachment. */
    private static final class Interest {
        final int readOp;
        int writeOp = SelectionKey.OP_WRITE;
        CallbackHandle reader;
        CallbackHandle writer;
        /**
         * Guarded by the interest: a helper thread handed a readiness of this key to the loop thread,
         * whose {@link #rearm} has not run yet.
         */
        boolean handedOver;

        Interest(SelectableChannel channel) {
            readOp = (channel.validOps() & SelectionKey.OP_READ) != 0 ? SelectionKey.OP_READ : SelectionKey.OP_ACCEPT;
        }

        int ops() {
            return (reader != null ? readOp : 0) | (writer != null ? writeOp : 0);
        }
    }

    public ChannelInterests(BaseEventLoop loop, Selector selector) {
        this.loop = loop;
        this.selector = selector;
    }

    @Override
    public void addReader(SelectableChannel channel, CallbackHandle handle) {
        SelectionKey key = register(channel);
        Interest interest = (Interest) key.attachment();
        CallbackHandle previous = interest.reader;
        interest.reader = handle;
        interests.put(channel, interest);
        setOps(key, interest.ops());
        if (previous != null) {
            previous.cancel();
        }
    }

    @Override
    public void addWriter(SelectableChannel channel, CallbackHandle handle) {
        SelectionKey key = register(channel);
        Interest interest = (Interest) key.attachment();
        CallbackHandle previous = interest.writer;
        interest.writer = handle;
        interest.writeOp = channel instanceof SocketChannel socket && socket.isConnectionPending()
                ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE;
        interests.put(channel, interest);
        setOps(key, interest.ops());
        if (previous != null) {
            previous.cancel();
        }
    }

    @Override
    public boolean removeReader(SelectableChannel channel) {
        return remove(channel, true);
    }

    @Override
    public boolean removeWriter(SelectableChannel channel) {
        return remove(channel, false);
    }

    @Override
    public int watched() {
        return interests.size();
    }

    /** Whether {@code channel} has a reader or a writer. */
    public boolean watches(SelectableChannel channel) {
        return interests.containsKey(channel);
    }

    /**
     * asyncio's {@code _process_events} for one key: schedules the reader and the writer for what
     * {@code readyOps} says. Loop thread.
     */
    public void process(SelectionKey key, int readyOps) {
        if (!key.isValid() || !(key.attachment() instanceof Interest interest)) {
            return; // its channel closed since it was selected (a helper thread's readiness): asyncio's selector forgets it
        }
        if ((readyOps & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 && interest.reader != null) {
            loop.scheduleReady(interest.reader);
        }
        if ((readyOps & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0 && interest.writer != null) {
            loop.scheduleReady(interest.writer);
        }
    }

    /** {@link #process(SelectionKey, int)} with the key's ready set, for a selector the loop thread selects on. */
    public void process(SelectionKey key) {
        process(key, key.readyOps());
    }

    /**
     * Stops a selected key from being selected again until {@link #rearm}: the helper thread, before
     * handing it over. False when a readiness of the key is already with the loop thread, whose change
     * of interest (an {@code addWriter}) re-armed the key meanwhile: handing a second one over put the
     * reader in the ready queue twice, and it ran again after it closed its channel. The rearm after
     * the first one's callbacks selects what is still ready. The lock makes the check and the disarm
     * one step against that rearm, which would otherwise be undone and the key never selected again.
     */
    public static boolean disarm(SelectionKey key) {
        if (!(key.attachment() instanceof Interest interest)) {
            return false;
        }
        synchronized (interest) {
            try {
                key.interestOps(0);
            } catch (CancelledKeyException closedMeanwhile) {
                return false; // its channel closed: nothing more will be selected
            }
            if (interest.handedOver) {
                return false;
            }
            interest.handedOver = true;
            return true;
        }
    }

    /** Restores a disarmed key's interest, after the callbacks of its readiness ran. Loop thread. */
    public void rearm(SelectionKey key) {
        if (key.attachment() instanceof Interest interest) {
            synchronized (interest) {
                interest.handedOver = false;
                if (key.isValid()) {
                    setOps(key, interest.ops());
                }
            }
        }
    }

    private SelectionKey register(SelectableChannel channel) {
        if (!channel.isOpen()) {
            throw new IllegalArgumentException("Invalid file descriptor: " + channel + " is closed");
        }
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("the channel must be non-blocking: " + channel);
        }
        SelectionKey key = channel.keyFor(selector);
        if (key != null && !key.isValid()) {
            throw new IllegalArgumentException("Invalid file descriptor: " + channel + " is closed");
        }
        try {
            return key != null ? key : channel.register(selector, 0, new Interest(channel));
        } catch (ClosedChannelException | CancelledKeyException e) {
            throw new IllegalArgumentException("Invalid file descriptor: " + channel + " is closed", e);
        }
    }

    // Also once the channel closed, its key cancelled or already gone: a callback of this iteration's
    // readiness is then still in the ready queue, and must not run after its removal.
    private boolean remove(SelectableChannel channel, boolean reader) {
        Interest interest = interests.get(channel);
        CallbackHandle handle = interest == null ? null : reader ? interest.reader : interest.writer;
        if (handle == null) {
            return false;
        }
        handle.cancel();
        if (reader) {
            interest.reader = null;
        } else {
            interest.writer = null;
        }
        if (interest.ops() == 0) {
            interests.remove(channel);
        }
        SelectionKey key = channel.keyFor(selector);
        if (key != null) {
            setOps(key, interest.ops()); // a key cancelled since: its channel closed, nothing fires
        }
        return true;
    }

    private static boolean setOps(SelectionKey key, int ops) {
        try {
            key.interestOps(ops);
            return true;
        } catch (CancelledKeyException closed) {
            return false;
        }
    }
}
