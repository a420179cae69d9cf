package dev.loopkit.loop.core;

import dev.loopkit.api.Datagram;
import dev.loopkit.api.Handle;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.transports.JdkDatagramSocketIo;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * asyncio's {@code sock_recvfrom} and {@code sock_sendto} for any loop with a
 * {@link ChannelReadiness}: try at once, else again on each readiness until done, then stop watching
 * unless the reader (writer) is no longer the operation's own.
 */
final class Datagrams {

    private Datagrams() {
    }

    static LoopFuture<Datagram> recvfrom(BaseEventLoop loop, ChannelReadiness readiness, DatagramChannel channel, int bufsize) {
        if (bufsize < 0) {
            throw new IllegalArgumentException("negative buffersize in recvfrom");
        }
        LoopFuture<Datagram> result = loop.createFuture();
        ByteBuffer into = ByteBuffer.allocate(bufsize);
        Runnable attempt = () -> {
            if (result.isDone()) {
                return;
            }
            try {
                SocketAddress from = JdkDatagramSocketIo.receive(channel, into.clear());
                if (from != null) {
                    result.setResult(new Datagram(into.flip(), from));
                }
            } catch (IOException e) {
                result.setException(e);
            }
        };
        retryUntilDone(loop, readiness, channel, result, attempt, true, "sockRecvfrom");
        return result;
    }

    static LoopFuture<Integer> sendto(BaseEventLoop loop, ChannelReadiness readiness, DatagramChannel channel,
            ByteBuffer data, SocketAddress address) {
        LoopFuture<Integer> result = loop.createFuture();
        Runnable attempt = () -> {
            if (result.isDone()) {
                return;
            }
            try {
                int length = data.remaining();
                int sent = JdkDatagramSocketIo.send(channel, data, address);
                if (sent > 0 || length == 0) {
                    result.setResult(sent);
                }
            } catch (IOException e) {
                result.setException(e);
            }
        };
        retryUntilDone(loop, readiness, channel, result, attempt, false, "sockSendto");
        return result;
    }

    // Tries at once; if that would block, again on each readiness until the future is done, then stops
    // watching as asyncio's _sock_read_done/_sock_write_done do: only while the reader (writer) is still
    // this operation's. Another sockRecvfrom, or the caller's addReader, on the channel replaced it
    // otherwise (cancelling its handle), and removing theirs would leave them waiting for good.
    private static void retryUntilDone(BaseEventLoop loop, ChannelReadiness readiness, DatagramChannel channel,
            LoopFuture<?> result, Runnable attempt, boolean reading, String operation) {
        attempt.run();
        if (result.isDone()) {
            return;
        }
        Handle handle;
        try {
            handle = reading ? readiness.addReader(channel, attempt) : readiness.addWriter(channel, attempt);
        } catch (UnsupportedOperationException e) {
            throw loop.unsupported(operation, e);
        }
        loop.failIfClosedUnder(result, channel);
        result.addDoneCallback(f -> {
            if (handle.isCancelled()) {
                return;
            }
            if (reading) {
                readiness.removeReader(channel);
            } else {
                readiness.removeWriter(channel);
            }
        });
    }

}
