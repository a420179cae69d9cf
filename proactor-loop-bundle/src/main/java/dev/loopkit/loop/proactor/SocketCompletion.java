package dev.loopkit.loop.proactor;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.DefaultLoopFuture;
import dev.loopkit.loop.core.HeapPieces;
import dev.loopkit.loop.core.IfStillWaiting;
import dev.loopkit.loop.core.Networks;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.WritePendingException;
import java.util.function.BiConsumer;

/**
 * asyncio's {@code sock_*} coroutines on a proactor: the operation is started on the NIO.2 channel
 * and its completion, handed to the loop thread, completes the future.
 *
 * <p><b>Cancelling</b> the future of a pending operation closes the channel, and so does completing it
 * any other way than by the operation's outcome ({@code orTimeout}'s timer, where asyncio's
 * {@code wait_for} cancels; the user). NIO.2 cannot withdraw an operation once started: left running,
 * a read would later consume bytes into a buffer nobody waits for (and an accept a connection), and
 * the channel would refuse the next operation of that kind ({@code ReadPendingException});
 * {@link java.nio.channels.AsynchronousChannel} documents closing the channel as the way to cancel. The operation then fails quietly; its completion
 * finds the future done and drops the outcome (an accepted connection is closed).
 *
 * <p><b>One at a time</b> per socket and kind: NIO.2 refuses a second accept, read or write while
 * one is pending. The second future fails with an {@link IllegalStateException} saying so, as
 * asyncio's streams raise {@code RuntimeError} for a second concurrent read; the first goes on.
 */
abstract class SocketCompletion<V, R> extends LoopCompletion<V> implements BiConsumer<R, Throwable> {

    final LoopFuture<R> result;
    private final NetworkChannel channel;
    /** Set on the loop thread just before the operation's own outcome completes {@link #result}. */
    private volatile boolean ownOutcome;

    private SocketCompletion(BaseEventLoop loop, NetworkChannel channel) {
        super(loop);
        this.channel = channel;
        DefaultLoopFuture<R> future = new DefaultLoopFuture<>(loop);
        future.hookCompletionInline(this); // cancel() closes the channel before it returns; asks for no failure
        this.result = future;
    }

    /** Starts the NIO.2 operation with this completion as its handler. */
    abstract void initiate();

    /** Whether the operation writes: on a socket never connected it fails as a send does. */
    boolean sends() {
        return false;
    }

    final LoopFuture<R> start() {
        try {
            initiate();
        } catch (AcceptPendingException | ReadPendingException | WritePendingException e) {
            failNow(alreadyPending(e));
        } catch (NotYetConnectedException e) {
            failNow(Networks.notConnected(e, sends()));
        } catch (RuntimeException e) { // ShutdownChannelGroupException…: on the future, as an I/O error
            failNow(e);
        }
        return result;
    }

    private static IllegalStateException alreadyPending(IllegalStateException pending) {
        String operation = pending instanceof AcceptPendingException ? "sockAccept"
                : pending instanceof ReadPendingException ? "sockRecv" : "sockSendall";
        return new IllegalStateException(operation + "() called while another " + operation
                + "() is pending on the same socket: the proactor runs one at a time per socket", pending);
    }

    /** Inline, on whichever thread completes the result. */
    @Override
    public final void accept(R ignored, Throwable error) {
        if (!ownOutcome) { // given up while pending: withdrawn the only way NIO.2 has
            Networks.closeQuietly(channel);
        }
    }

    /**
     * The operation's own outcome, unless the result was given up meanwhile: {@code false} then. Loop
     * thread. The operation is over either way, so nothing in flight is withdrawn; the caller may cancel
     * on another thread in any moment, also between a look at the result and its completion, and the
     * refusal was reported as "Exception in callback", an accepted channel left open for nobody (a review).
     */
    final boolean succeed(R value) {
        ownOutcome = true;
        return IfStillWaiting.setResult(result, value);
    }

    @Override
    protected void onFailed(Throwable error) {
        ownOutcome = true;
        IfStillWaiting.setException(result, error);
    }

    // ---- the four operations ------------------------------------------------------------------------

    /** asyncio {@code sock_recv_into}: bytes read, or -1 at end of stream. */
    static LoopFuture<Integer> recv(BaseEventLoop loop, AsynchronousSocketChannel socket, ByteBuffer buffer) {
        return new SocketCompletion<Integer, Integer>(loop, socket) {
            /** What this read fills: a heap buffer a piece at most ({@link HeapPieces}). */
            private ByteBuffer piece;

            @Override
            void initiate() {
                piece = HeapPieces.bounded(buffer);
                socket.read(piece, null, this);
            }

            @Override
            protected void onCompleted(Integer read) {
                if (piece != buffer && read > 0) {
                    buffer.position(piece.position());
                }
                succeed(read);
            }
        }.start();
    }

    /** asyncio {@code sock_sendall}: writes again after each partial write until nothing remains. */
    static LoopFuture<Void> sendall(BaseEventLoop loop, AsynchronousSocketChannel socket, ByteBuffer data) {
        return new SocketCompletion<Integer, Void>(loop, socket) {
            /** What this write offers: a heap buffer in pieces ({@link HeapPieces}). */
            private ByteBuffer piece;

            @Override
            void initiate() {
                piece = HeapPieces.bounded(data);
                socket.write(piece, null, this);
            }

            @Override
            boolean sends() {
                return true;
            }

            @Override
            protected void onCompleted(Integer written) {
                if (piece != data) {
                    data.position(data.position() + written);
                }
                if (result.isDone()) {
                    return;
                }
                if (data.hasRemaining()) {
                    start();
                } else {
                    succeed(null);
                }
            }
        }.start();
    }

    /** asyncio {@code sock_accept}: the accepted connection, in the listening socket's channel group. */
    static LoopFuture<NetworkChannel> accept(BaseEventLoop loop, AsynchronousServerSocketChannel server) {
        return new SocketCompletion<AsynchronousSocketChannel, NetworkChannel>(loop, server) {
            @Override
            void initiate() {
                server.accept(null, this);
            }

            @Override
            protected void onCompleted(AsynchronousSocketChannel accepted) {
                if (!succeed(accepted)) {
                    Networks.closeQuietly(accepted); // given up: nobody else would close it
                }
            }

            @Override
            protected void discarded(AsynchronousSocketChannel accepted) {
                Networks.closeQuietly(accepted);
            }
        }.start();
    }

    /** asyncio {@code sock_connect}, failing with asyncio's "Connect call failed ('127.0.0.1', 1): …". */
    static LoopFuture<Void> connect(BaseEventLoop loop, AsynchronousSocketChannel socket, SocketAddress address) {
        return new SocketCompletion<Void, Void>(loop, socket) {
            @Override
            void initiate() {
                socket.connect(address, null, this);
            }

            @Override
            protected void onCompleted(Void connected) {
                succeed(null);
            }

            @Override
            protected void onFailed(Throwable error) {
                super.onFailed(error instanceof IOException io ? Networks.connectFailed(address, io) : error);
            }
        }.start();
    }
}
