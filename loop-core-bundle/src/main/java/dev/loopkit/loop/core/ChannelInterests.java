package dev.loopkit.loop.core;

import dev.loopkit.loop.core.scheduling.CallbackHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * The readers and writers a loop has on java.nio channels, as keys of one {@link Selector}: each
 * key's attachment holds the reader's and the writer's handle, made once per
 * {@code addReader}/{@code addWriter} and reused, so readiness allocates nothing. The selector loop
 * selects on it itself; the epoll loop, whose own wait cannot see JDK channels, lets a helper thread
 * do so. Loop thread only, except {@link #disarm} (the helper thread's).
 *
 * <p>Keys are never cancelled, only their interest cleared: a cancelled key stays in the selector
 * until the next select and would make the channel impossible to register again meanwhile. The
 * interest set is always computed from the handles, never read back from the key (a helper thread
 * may have disarmed it).
 */
public final class ChannelInterests implements ChannelHandles {

    private final BaseEventLoop loop;
    private final Selector selector;
    /** Channels with a reader or a writer. */
    private int watched;

    /** The handles waiting for one channel's readiness: the key's attachment. */
    private static final class Interest {
        final int readOp;
        int writeOp = SelectionKey.OP_WRITE;
        CallbackHandle reader;
        CallbackHandle writer;

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
        update(key, interest, previous == null && interest.writer == null);
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
        update(key, interest, previous == null && interest.reader == null);
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
        return watched;
    }

    /**
     * asyncio's {@code _process_events} for one key: schedules the reader and the writer for what
     * {@code readyOps} says. Loop thread.
     */
    public void process(SelectionKey key, int readyOps) {
        if (!(key.attachment() instanceof Interest interest)) {
            return;
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

    /** Stops a selected key from being selected again until {@link #rearm}: the helper thread, before handing it over. */
    public static void disarm(SelectionKey key) {
        try {
            key.interestOps(0);
        } catch (CancelledKeyException closedMeanwhile) {
            // its channel closed: nothing more will be selected
        }
    }

    /** Restores a disarmed key's interest, after the callbacks of its readiness ran. Loop thread. */
    public void rearm(SelectionKey key) {
        if (key.isValid() && key.attachment() instanceof Interest interest) {
            setOps(key, interest.ops());
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

    private boolean remove(SelectableChannel channel, boolean reader) {
        SelectionKey key = channel.keyFor(selector);
        if (key == null || !key.isValid()) {
            return false;
        }
        Interest interest = (Interest) key.attachment();
        CallbackHandle handle = reader ? interest.reader : interest.writer;
        if (handle == null) {
            return false;
        }
        handle.cancel();
        if (reader) {
            interest.reader = null;
        } else {
            interest.writer = null;
        }
        update(key, interest, false);
        return true;
    }

    private void update(SelectionKey key, Interest interest, boolean wasIdle) {
        int ops = interest.ops();
        if (wasIdle && ops != 0) {
            watched++;
        } else if (!wasIdle && ops == 0) {
            watched--;
        }
        setOps(key, ops); // a key cancelled since register() checked it: its channel closed, nothing fires
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
