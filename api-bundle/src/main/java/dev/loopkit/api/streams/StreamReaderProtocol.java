package dev.loopkit.api.streams;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * asyncio's {@code StreamReaderProtocol} (with {@code FlowControlMixin}): feeds a
 * {@link StreamReader}, makes the {@link StreamWriter}, and holds {@code drain()} while the
 * transport's write buffer is over its high-water mark.
 */
public final class StreamReaderProtocol implements Protocol {

    private final EventLoop loop;
    private final StreamReader reader;
    private final Streams.ClientConnected clientConnected;
    private final LoopFuture<Void> closed;
    private StreamWriter writer;
    private boolean paused;
    private boolean connectionLost;
    private Exception lostWith;
    private final List<LoopFuture<Void>> drainWaiters = new ArrayList<>();

    public StreamReaderProtocol(EventLoop loop, StreamReader reader, Streams.ClientConnected clientConnected) {
        this.loop = loop;
        this.reader = reader;
        this.clientConnected = clientConnected;
        this.closed = loop.createFuture();
    }

    @Override
    public void connectionMade(Transport transport) {
        reader.setTransport(transport);
        writer = new StreamWriter(transport, this, reader, loop);
        if (clientConnected == null) {
            return;
        }
        CompletionStage<?> handled;
        try {
            handled = clientConnected.connected(reader, writer);
        } catch (RuntimeException e) {
            unhandled(e, transport);
            return;
        }
        if (handled != null) {
            handled.whenComplete((ignored, error) -> {
                if (error != null) {
                    unhandled(error, transport);
                }
            });
        }
    }

    // asyncio: an exception in client_connected_cb is reported and the connection closed.
    private void unhandled(Throwable error, Transport transport) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("message", "Unhandled exception in client_connected_cb");
        context.put("exception", error);
        context.put("transport", transport);
        loop.callExceptionHandler(context);
        transport.close();
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        reader.feedData(data);
    }

    /** Keeps the connection open for writing, as asyncio's does (without TLS). */
    @Override
    public boolean eofReceived() {
        reader.feedEof();
        return true;
    }

    @Override
    public void connectionLost(Exception exc) {
        if (exc == null) {
            reader.feedEof();
        } else {
            reader.setException(exc);
        }
        if (!closed.isDone()) {
            if (exc == null) {
                closed.setResult(null);
            } else {
                closed.setException(exc);
            }
        }
        connectionLost = true;
        lostWith = exc;
        for (LoopFuture<Void> waiter : takeDrainWaiters()) {
            if (!waiter.isDone()) {
                waiter.setException(exc != null ? exc : new IOException("Connection lost"));
            }
        }
    }

    @Override
    public void pauseWriting() {
        paused = true;
    }

    @Override
    public void resumeWriting() {
        paused = false;
        for (LoopFuture<Void> waiter : takeDrainWaiters()) {
            if (!waiter.isDone()) {
                waiter.setResult(null);
            }
        }
    }

    /**
     * The waiters to wake, leaving the list empty first: completing a waiter runs its dependent
     * stages at once (a {@code drain().thenCompose(…)} that writes), which may pause writing and
     * wait again; that new waiter must neither disturb this iteration nor be dropped with it.
     */
    private List<LoopFuture<Void>> takeDrainWaiters() {
        List<LoopFuture<Void>> waiting = new ArrayList<>(drainWaiters);
        drainWaiters.clear();
        return waiting;
    }

    /** The writer made at connectionMade. */
    StreamWriter writer() {
        return writer;
    }

    /** asyncio's {@code _drain_helper}: at once unless writing is paused; fails once the connection is lost. */
    LoopFuture<Void> drainHelper() {
        LoopFuture<Void> waiter = loop.createFuture();
        if (connectionLost) {
            waiter.setException(lostWith != null ? lostWith : new IOException("Connection lost"));
        } else if (!paused) {
            waiter.setResult(null);
        } else {
            drainWaiters.add(waiter);
        }
        return waiter;
    }

    /** Completes when the connection is lost. */
    LoopFuture<Void> closed() {
        return closed;
    }
}
