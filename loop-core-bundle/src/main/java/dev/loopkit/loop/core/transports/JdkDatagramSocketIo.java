package dev.loopkit.loop.core.transports;

import dev.loopkit.loop.core.ChannelReadiness;
import java.io.IOException;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;

/** A non-blocking JDK {@link DatagramChannel} watched by a loop's {@link ChannelReadiness}. */
public final class JdkDatagramSocketIo implements DatagramSocketIo {

    private final ChannelReadiness readiness;
    private final DatagramChannel channel;

    /** {@code channel}, made non-blocking by the caller, watched through {@code readiness}. */
    public JdkDatagramSocketIo(ChannelReadiness readiness, DatagramChannel channel) {
        this.readiness = Objects.requireNonNull(readiness, "readiness");
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    /** A new non-blocking channel of {@code family}, watched through {@code readiness}. */
    public static JdkDatagramSocketIo open(ChannelReadiness readiness, ProtocolFamily family) throws IOException {
        DatagramChannel channel = DatagramChannel.open(family);
        try {
            channel.configureBlocking(false);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new JdkDatagramSocketIo(readiness, channel);
    }

    @Override
    public NetworkChannel channel() {
        return channel;
    }

    @Override
    public void connect(SocketAddress remote) throws IOException {
        channel.connect(remote);
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        return channel.getRemoteAddress();
    }

    @Override
    public SocketAddress receive(ByteBuffer into) throws IOException {
        return receive(channel, into);
    }

    @Override
    public boolean send(ByteBuffer data, SocketAddress to) throws IOException {
        return send(channel, data, to) > 0;
    }

    /**
     * {@link DatagramChannel#receive}, its errors in the C library's words, as asyncio shows them and the
     * epoll loop's own sockets give them: the ICMP "port unreachable" a connected socket receives is
     * "Connection refused" (asyncio's {@code ConnectionRefusedError}), not the JDK's message-less
     * {@link PortUnreachableException}.
     */
    public static SocketAddress receive(DatagramChannel channel, ByteBuffer into) throws IOException {
        try {
            return channel.receive(into);
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

    @Override
    public void watchReadable(Runnable onReadable) {
        readiness.addReader(channel, onReadable);
    }

    @Override
    public void stopReading() {
        readiness.removeReader(channel);
    }

    @Override
    public void watchWritable(Runnable onWritable) {
        readiness.addWriter(channel, onWritable);
    }

    @Override
    public void stopWriting() {
        readiness.removeWriter(channel);
    }

    @Override
    public void close() throws IOException {
        channel.close();
        readiness.channelClosed(channel);
    }
}
