package dev.loopkit.loop.selector;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.Networks;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * asyncio's {@code sock_*} coroutines on a selector: try the operation at once; if it would block,
 * retry on each readiness until it completes, then stop watching the channel.
 */
final class SocketOperation {

    private SocketOperation() {
    }

    static void recv(SelectorEventLoop loop, SocketChannel socket, ByteBuffer buffer, LoopFuture<Integer> result) {
        if (tryRecv(socket, buffer, result)) {
            return;
        }
        loop.addReader(socket, () -> {
            if (!result.isDone()) {
                tryRecv(socket, buffer, result);
            }
        });
        result.addDoneCallback(f -> loop.removeReader(socket));
    }

    private static boolean tryRecv(SocketChannel socket, ByteBuffer buffer, LoopFuture<Integer> result) {
        try {
            int read = socket.read(buffer);
            if (read == 0 && buffer.hasRemaining()) {
                return false; // would block
            }
            result.setResult(read);
        } catch (IOException e) {
            result.setException(e);
        }
        return true;
    }

    static void sendall(SelectorEventLoop loop, SocketChannel socket, ByteBuffer data, LoopFuture<Void> result) {
        if (trySend(socket, data, result)) {
            return;
        }
        loop.addWriter(socket, () -> {
            if (!result.isDone()) {
                trySend(socket, data, result);
            }
        });
        result.addDoneCallback(f -> loop.removeWriter(socket));
    }

    private static boolean trySend(SocketChannel socket, ByteBuffer data, LoopFuture<Void> result) {
        try {
            socket.write(data);
            if (data.hasRemaining()) {
                return false;
            }
            result.setResult(null);
        } catch (IOException e) {
            result.setException(e);
        }
        return true;
    }

    static void accept(SelectorEventLoop loop, ServerSocketChannel server, LoopFuture<NetworkChannel> result) {
        if (tryAccept(server, result)) {
            return;
        }
        loop.addReader(server, () -> {
            if (!result.isDone()) {
                tryAccept(server, result);
            }
        });
        result.addDoneCallback(f -> loop.removeReader(server));
    }

    private static boolean tryAccept(ServerSocketChannel server, LoopFuture<NetworkChannel> result) {
        try {
            SocketChannel accepted = server.accept();
            if (accepted == null) {
                return false;
            }
            accepted.configureBlocking(false);
            result.setResult(accepted);
        } catch (IOException e) {
            result.setException(e);
        }
        return true;
    }

    static void connect(SelectorEventLoop loop, SocketChannel socket, SocketAddress address, LoopFuture<Void> result) {
        try {
            if (socket.connect(address)) {
                result.setResult(null);
                return;
            }
        } catch (IOException e) {
            result.setException(Networks.connectFailed(address, e));
            return;
        }
        loop.addWriter(socket, () -> {
            if (result.isDone()) {
                return;
            }
            try {
                if (socket.finishConnect()) {
                    result.setResult(null);
                }
            } catch (IOException e) {
                result.setException(Networks.connectFailed(address, e));
            }
        });
        result.addDoneCallback(f -> loop.removeWriter(socket));
    }
}
