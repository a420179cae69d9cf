package dev.loopkit.loop.core;

import dev.loopkit.api.Handle;
import java.nio.channels.SelectableChannel;

/**
 * Who tells a loop that a java.nio channel is ready, for what is readiness-based on every loop (UDP
 * endpoints, {@code sockRecvfrom}/{@code sockSendto}, zero-copy {@code sendfile}): the loop's own
 * {@code addReader}/{@code addWriter} where it waits in a selector, else a {@link ChannelPoller}. The
 * callbacks run on the loop thread; loop thread only, as the loop's own methods.
 */
public interface ChannelReadiness {

    /**
     * Calls {@code callback} whenever {@code channel} is readable; replaces an earlier reader.
     *
     * @return the reader's handle, cancelled once another reader replaces it or it is removed: while
     *         it is not, the reader is still the caller's own (asyncio's {@code _sock_read_done} checks
     *         its handle the same way before it removes the reader)
     */
    Handle addReader(SelectableChannel channel, Runnable callback);

    /** {@code true} if a reader was removed. */
    boolean removeReader(SelectableChannel channel);

    /**
     * Calls {@code callback} whenever {@code channel} is writable; replaces an earlier writer.
     *
     * @return the writer's handle, cancelled once another writer replaces it or it is removed: while
     *         it is not, the writer is still the caller's own (asyncio's {@code _sock_write_done} checks
     *         its handle the same way before it removes the writer)
     */
    Handle addWriter(SelectableChannel channel, Runnable callback);

    /** {@code true} if a writer was removed. */
    boolean removeWriter(SelectableChannel channel);

    /**
     * {@code channel}, which was watched, is closed now. The JDK closes the descriptor of a channel
     * still registered with a selector only when that selector next selects: a waiter on another
     * thread must be woken for that. Nothing by default (the loop thread selects at its next
     * iteration).
     */
    default void channelClosed(SelectableChannel channel) {
    }
}
