package dev.loopkit.loop.core.transports;

import dev.loopkit.loop.core.ChannelReadiness;
import dev.loopkit.loop.core.Datagrams;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
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
        return Datagrams.receive(channel, into);
    }

    @Override
    public boolean send(ByteBuffer data, SocketAddress to) throws IOException {
        // An empty datagram: the JDK says 0 whether it went or the socket would block, and a connected
        // channel sends none at all (no system call): taken as sent, as sockSendto takes it.
        int length = data.remaining();
        return Datagrams.send(channel, data, to) > 0 || length == 0;
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
