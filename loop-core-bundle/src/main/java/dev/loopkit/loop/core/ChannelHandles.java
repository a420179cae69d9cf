package dev.loopkit.loop.core;

import dev.loopkit.loop.core.scheduling.CallbackHandle;
import java.nio.channels.SelectableChannel;

/** Where a loop keeps its readers and writers on java.nio channels (loop thread only). */
public interface ChannelHandles {

    /** Watches {@code channel} for reading (accepting) with {@code handle}, replacing (and cancelling) the previous reader. */
    void addReader(SelectableChannel channel, CallbackHandle handle);

    /** Watches {@code channel} for writing (or a connection's end) with {@code handle}, replacing the previous writer. */
    void addWriter(SelectableChannel channel, CallbackHandle handle);

    /** Stops reading {@code channel}; whether there was a reader. */
    boolean removeReader(SelectableChannel channel);

    /** Stops writing {@code channel}; whether there was a writer. */
    boolean removeWriter(SelectableChannel channel);

    /** How many channels have a reader or a writer. */
    int watched();
}
