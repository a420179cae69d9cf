package dev.loopkit.loop.core;

import dev.loopkit.api.Datagram;
import dev.loopkit.api.Handle;
import dev.loopkit.api.LoopFuture;
import java.io.IOException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * asyncio's {@code sock_recvfrom} and {@code sock_sendto} for any loop with a
 * {@link ChannelReadiness}: try at once, else again on each readiness until done, then stop watching
 * unless the reader (writer) is no longer the operation's own. And a JDK {@link DatagramChannel}'s
 * calls with their errors in the C library's words, for these and for datagram transports.
 */
public final class Datagrams {

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
                SocketAddress from = receive(channel, into.clear());
                if (from != null) {
                    // cancelled on another thread meanwhile: that datagram is lost, as asyncio's would be unread
                    IfStillWaiting.setResult(result, new Datagram(into.flip(), from));
                }
            } catch (IOException e) {
                IfStillWaiting.setException(result, e);
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
                int sent = send(channel, data, address);
                if (sent > 0 || length == 0) {
                    IfStillWaiting.setResult(result, sent);
                }
            } catch (IOException e) {
                IfStillWaiting.setException(result, e);
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

    /**
     * {@link DatagramChannel#receive}, its errors in the C library's words, as asyncio shows them and the
     * epoll loop's own sockets give them: the ICMP "port unreachable" a connected socket receives is
     * "Connection refused" (asyncio's {@code ConnectionRefusedError}), not the JDK's message-less
     * {@link PortUnreachableException}.
     */
    public static SocketAddress receive(DatagramChannel channel, ByteBuffer into) throws IOException {
        // A heap buffer in a piece (HeapPieces): the JDK's datagrams are UDP's, 64 KiB at most, so none is cut short by it.
        ByteBuffer piece = HeapPieces.bounded(into);
        try {
            SocketAddress from = channel.receive(piece);
            if (piece != into) {
                into.position(piece.position());
            }
            return from;
        } catch (PortUnreachableException e) {
            throw refused(e);
        }
    }

    /**
     * {@link DatagramChannel#send} ({@code to}: an address) or {@code write} ({@code null}: the connected
     * peer), its errors in the C library's words, and as {@link IOException}s where the JDK throws
     * unchecked ones for what {@code sendto(2)} reports as an error: an address of the other family.
     *
     * @return the bytes sent, 0 if the socket takes nothing now
     */
    public static int send(DatagramChannel channel, ByteBuffer data, SocketAddress to) throws IOException {
        try {
            return to == null ? channel.write(data) : channel.send(data, to);
        } catch (PortUnreachableException e) {
            throw refused(e);
        } catch (UnsupportedAddressTypeException otherFamily) {
            throw new IOException("Address family not supported by protocol", otherFamily);
        } catch (AlreadyConnectedException connectedElsewhere) {
            // sendto(2) on a connected UDP socket sends to the address given; a JDK channel refuses it
            throw new IOException("a JDK DatagramChannel connected to " + channel.getRemoteAddress()
                    + " sends to no other address (" + to + ")", connectedElsewhere);
        }
    }

    private static IOException refused(PortUnreachableException jdk) {
        PortUnreachableException refused = new PortUnreachableException("Connection refused");
        refused.initCause(jdk);
        return refused;
    }
}
