package dev.loopkit.loop.core.transports;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;

/**
 * What {@link DatagramChannelTransport} needs of a UDP socket and of the loop that watches it: one
 * transport algorithm (asyncio's {@code _SelectorDatagramTransport}) over a JDK
 * {@code DatagramChannel} in a {@code ChannelReadiness} ({@link JdkDatagramSocketIo}), or over a
 * socket a loop owns natively (the epoll loop's, in its own epoll set). Loop thread only, but for
 * {@link #close()}.
 */
public interface DatagramSocketIo {

    /** The socket as a {@link NetworkChannel}: the options, the bind, the transport's {@code socket} extra. */
    NetworkChannel channel();

    /** Connects the socket to {@code remote}: it then sends there and receives only from there. */
    void connect(SocketAddress remote) throws IOException;

    /** Whether {@link #connect} was called: {@code send} then takes no address. */
    boolean isConnected();

    /** The peer of a connected socket, or {@code null}. */
    SocketAddress remoteAddress() throws IOException;

    /**
     * Receives one datagram into {@code into}, advancing its position.
     *
     * @return who sent it, or {@code null} when none waits
     */
    SocketAddress receive(ByteBuffer into) throws IOException;

    /**
     * Sends {@code data} (maybe empty) as one datagram to {@code to}, or to the peer of a connected
     * socket when {@code to} is {@code null}.
     *
     * @return {@code false} when the socket would block: nothing was sent
     */
    boolean send(ByteBuffer data, SocketAddress to) throws IOException;

    /** Runs {@code onReadable} on the loop thread whenever a datagram waits, until {@link #stopReading()}. */
    void watchReadable(Runnable onReadable);

    /** Stops {@link #watchReadable}; harmless when not watching. */
    void stopReading();

    /** Runs {@code onWritable} on the loop thread whenever there is room, until {@link #stopWriting()}. */
    void watchWritable(Runnable onWritable);

    /** Stops {@link #watchWritable}; harmless when not watching. */
    void stopWriting();

    /** Stops watching and closes the socket. */
    void close() throws IOException;
}
