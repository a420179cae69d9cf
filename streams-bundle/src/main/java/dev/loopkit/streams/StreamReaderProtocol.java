package dev.loopkit.streams;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Transport;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * asyncio's {@code StreamReaderProtocol} (with {@code FlowControlMixin}): feeds a
 * {@link StreamReader}, makes the {@link StreamWriter}, and holds {@code drain()} while the
 * transport's write buffer is over its high-water mark.
 */
public final class StreamReaderProtocol implements Protocol, WriteFlow {

    private final EventLoop loop;
    private final StreamReader reader;
    private final Streams.ClientConnected clientConnected;
    private final LoopFuture<Void> closed;
    private final DrainWaiters drainWaiters;
    private StreamWriter writer;
    /** asyncio's {@code _over_ssl}: EOF then closes the connection, TLS has no half-close here. */
    private boolean overSsl;

    public StreamReaderProtocol(EventLoop loop, StreamReader reader, Streams.ClientConnected clientConnected) {
        this.loop = loop;
        this.reader = reader;
        this.clientConnected = clientConnected;
        this.closed = loop.createFuture();
        this.drainWaiters = new DrainWaiters(loop);
    }

    @Override
    public void connectionMade(Transport transport) {
        overSsl = transport.getExtraInfo("sslcontext") != null;
        reader.setTransport(transport);
        writer = new StreamWriter(transport, this, reader, loop);
        if (clientConnected == null) {
            return;
        }
        CompletionStage<?> handled;
        try {
            handled = clientConnected.connected(reader, writer);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
                throw fatal; // as the loop's callbacks: the JVM's own failures end the run
            }
            unhandled(e, transport);
            return;
        }
        if (handled != null) {
            // On the loop, as asyncio's done callback: a stage completed by another thread ran this there,
            // and the transport's close is the loop thread's (an outside review: on epoll it never took effect).
            handled.whenCompleteAsync((ignored, error) -> {
                if (error == null) {
                    return;
                }
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof CancellationException) {
                    transport.close(); // asyncio: "if task.cancelled(): transport.close(); return", nothing reported
                } else {
                    unhandled(error, transport);
                }
            }, loop::callSoonThreadsafe);
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

    /** Keeps the connection open for writing, as asyncio's does, except over TLS. */
    @Override
    public boolean eofReceived() {
        reader.feedEof();
        return !overSsl;
    }

    /** asyncio's {@code _replace_transport}, after {@code start_tls}. */
    void replaceTransport(Transport transport) {
        overSsl = transport.getExtraInfo("sslcontext") != null;
    }

    /** Whether this is a server's protocol (asyncio: it has a {@code client_connected_cb}). */
    boolean isServerSide() {
        return clientConnected != null;
    }

    @Override
    public void connectionLost(Exception exc) {
        if (exc == null) {
            reader.feedEof();
        } else {
            reader.setException(exc);
        }
        if (exc == null) {
            IfStillWaiting.setResult(closed, null);
        } else {
            IfStillWaiting.failClosed(closed, exc);
        }
        drainWaiters.connectionLost(exc);
    }

    @Override
    public void pauseWriting() {
        drainWaiters.pause();
    }

    @Override
    public void resumeWriting() {
        drainWaiters.resume();
    }

    /** The writer made at connectionMade. */
    StreamWriter writer() {
        return writer;
    }

    @Override
    public LoopFuture<Void> drainHelper() {
        return drainWaiters.drain();
    }

    @Override
    public LoopFuture<Void> closed() {
        return closed;
    }
}
