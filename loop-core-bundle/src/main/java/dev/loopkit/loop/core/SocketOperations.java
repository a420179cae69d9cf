package dev.loopkit.loop.core;

import dev.loopkit.api.Handle;
import dev.loopkit.api.LoopFuture;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * asyncio's {@code sock_*} coroutines on non-blocking JDK channels, for any loop that watches
 * channels with {@code addReader}/{@code addWriter}: try the operation at once; if it would block,
 * retry on each readiness until it completes, then stop watching the channel, unless the reader
 * (writer) is no longer the operation's own. The loop checks that it is open before calling these.
 */
public final class SocketOperations {

    private SocketOperations() {
    }

    /** asyncio's {@code sock_recv}. */
    public static LoopFuture<Integer> recv(BaseEventLoop loop, NetworkChannel channel, ByteBuffer buffer) {
        SocketChannel socket = nonBlocking(loop, channel, SocketChannel.class);
        Objects.requireNonNull(buffer, "buffer");
        LoopFuture<Integer> result = loop.createFuture();
        if (tryRecv(socket, buffer, result)) {
            return result;
        }
        Handle reader = loop.watchReadable(socket, () -> {
            if (!result.isDone()) {
                tryRecv(socket, buffer, result);
            }
        });
        removeWhenDone(loop, result, socket, reader, true);
        return result;
    }

    private static boolean tryRecv(SocketChannel socket, ByteBuffer buffer, LoopFuture<Integer> result) {
        try {
            int read = HeapPieces.read(socket, buffer);
            if (read == 0 && buffer.hasRemaining()) {
                return false; // would block
            }
            // cancelled meanwhile: the bytes are in the caller's buffer, whose position says how many
            IfStillWaiting.setResult(result, read);
        } catch (IOException e) {
            IfStillWaiting.setException(result, Networks.resetInTheCLibrarysWords(e));
        } catch (NotYetConnectedException e) {
            IfStillWaiting.setException(result, Networks.notConnected(e, false));
        }
        return true;
    }

    /** asyncio's {@code sock_sendall}. */
    public static LoopFuture<Void> sendall(BaseEventLoop loop, NetworkChannel channel, ByteBuffer data) {
        SocketChannel socket = nonBlocking(loop, channel, SocketChannel.class);
        Objects.requireNonNull(data, "data");
        LoopFuture<Void> result = loop.createFuture();
        if (trySend(socket, data, result)) {
            return result;
        }
        Handle writer = loop.watchWritable(socket, () -> {
            if (!result.isDone()) {
                trySend(socket, data, result);
            }
        });
        removeWhenDone(loop, result, socket, writer, false);
        return result;
    }

    private static boolean trySend(SocketChannel socket, ByteBuffer data, LoopFuture<Void> result) {
        try {
            HeapPieces.write(socket, data);
            if (data.hasRemaining()) {
                return false;
            }
            IfStillWaiting.setResult(result, null);
        } catch (IOException e) {
            IfStillWaiting.setException(result, e);
        } catch (NotYetConnectedException e) {
            IfStillWaiting.setException(result, Networks.notConnected(e, true));
        }
        return true;
    }

    /** asyncio's {@code sock_accept}: the accepted socket is non-blocking. */
    public static LoopFuture<NetworkChannel> accept(BaseEventLoop loop, NetworkChannel serverChannel) {
        ServerSocketChannel server = nonBlocking(loop, serverChannel, ServerSocketChannel.class);
        LoopFuture<NetworkChannel> result = loop.createFuture();
        if (tryAccept(server, result)) {
            return result;
        }
        Handle reader = loop.watchReadable(server, () -> {
            if (!result.isDone()) {
                tryAccept(server, result);
            }
        });
        removeWhenDone(loop, result, server, reader, true);
        return result;
    }

    private static boolean tryAccept(ServerSocketChannel server, LoopFuture<NetworkChannel> result) {
        try {
            SocketChannel accepted = server.accept();
            if (accepted == null) {
                return false;
            }
            accepted.configureBlocking(false);
            if (!IfStillWaiting.setResult(result, accepted)) {
                accepted.close(); // nobody would: the proactor loop closes one its completion finds unwanted too
            }
        } catch (IOException | RuntimeException e) {
            // RuntimeException: the JDK's NotYetBoundException, which asyncio's accept puts on the future (EINVAL)
            IfStillWaiting.setException(result, e);
        }
        return true;
    }

    /** asyncio's {@code sock_connect}: a failure says "Connect call failed" with the address. */
    public static LoopFuture<Void> connect(BaseEventLoop loop, NetworkChannel channel, SocketAddress address) {
        SocketChannel socket = nonBlocking(loop, channel, SocketChannel.class);
        Objects.requireNonNull(address, "address");
        LoopFuture<Void> result = loop.createFuture();
        try {
            if (socket.connect(address)) {
                result.setResult(null);
                return result;
            }
        } catch (IOException e) {
            result.setException(Networks.connectFailed(address, e));
            return result;
        } catch (ConnectionPendingException underWay) {
            // asyncio's connect gets EALREADY (a retry after a timeout) and waits for the connect under way
        } catch (AlreadyConnectedException e) {
            SocketException connected = new SocketException("Transport endpoint is already connected"); // EISCONN
            connected.initCause(e);
            result.setException(connected);
            return result;
        } catch (RuntimeException e) {
            // An address the socket cannot take (UnsupportedAddressTypeException): on the future, as asyncio's
            // every failure is; thrown from the call, it was not where a caller of a future looks
            result.setException(e);
            return result;
        }
        Handle writer = loop.watchWritable(socket, () -> {
            if (result.isDone()) {
                return;
            }
            try {
                if (socket.finishConnect()) {
                    IfStillWaiting.setResult(result, null);
                }
            } catch (IOException e) {
                IfStillWaiting.setException(result, Networks.connectFailed(address, e));
            }
        });
        removeWhenDone(loop, result, socket, writer, false);
        return result;
    }

    /**
     * asyncio's {@code _sock_read_done} ({@code _sock_write_done} for a writer): once {@code result}
     * is done, removes the channel's reader (writer) only if it is still the operation's, that is if
     * its {@code handle} is not cancelled. The caller's {@code addReader}, or another operation on the
     * channel, may have replaced it meanwhile (which cancelled the handle): that reader is theirs, and
     * removing it would mean it is never called again.
     */
    private static void removeWhenDone(BaseEventLoop loop, LoopFuture<?> result, SelectableChannel channel,
            Handle handle, boolean reader) {
        loop.failIfClosedUnder(result, channel);
        result.addDoneCallback(f -> {
            if (!handle.isCancelled()) {
                // the loop's own removal (asyncio's _remove_reader): the channel is the operation's, checked as it began
                if (reader) {
                    loop.unwatchReadable(channel);
                } else {
                    loop.unwatchWritable(channel);
                }
            }
        });
    }

    private static <C extends SelectableChannel> C nonBlocking(BaseEventLoop loop, NetworkChannel channel, Class<C> type) {
        Objects.requireNonNull(channel, "channel");
        if (!type.isInstance(channel)) {
            throw new IllegalArgumentException(ClassNames.simpleName(loop.getClass()) + " needs a " + type.getName()
                    + ", not " + channel.getClass().getName());
        }
        C selectable = type.cast(channel);
        if (selectable.isBlocking()) {
            throw new IllegalArgumentException("the socket must be non-blocking");
        }
        return selectable;
    }
}
