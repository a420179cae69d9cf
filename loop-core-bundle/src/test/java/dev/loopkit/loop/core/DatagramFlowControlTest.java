package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.Handle;
import dev.loopkit.loop.core.transports.DatagramChannelTransport;
import dev.loopkit.loop.testing.LoopTestSupport;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.SelectableChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.After;
import org.junit.Test;

/**
 * The datagram transport's write buffer and flow control (asyncio's {@code _SelectorDatagramTransport}
 * with {@code _FlowControlMixin}), which loopback never exercises: a UDP send there is handed to the
 * receiver at once and never would block. Here a channel that refuses sends while "full" and a
 * readiness the test fires by hand stand in for the socket and the selector.
 */
public class DatagramFlowControlTest {

    private static final SocketAddress PEER = new InetSocketAddress("127.0.0.1", 9);

    private final BaseEventLoop loop = new ParkingEventLoop();
    private final FullableChannel channel = new FullableChannel();
    private final ManualReadiness readiness = new ManualReadiness();
    private final Recorder protocol = new Recorder();

    @After
    public void closeLoop() {
        loop.close();
    }

    @Test
    public void buffersWhileTheSocketIsFullPausesOverHighWaterAndDrainsInOrderOnWritability() {
        DatagramChannelTransport transport = started();
        transport.setWriteBufferLimits(100, 50);
        channel.full = true;
        transport.sendto(new byte[] {1}, PEER); // taken at first: copies, the caller may reuse
        byte[] reused = new byte[60];
        reused[0] = 2;
        transport.sendto(reused, PEER);
        reused[0] = 3;
        transport.sendto(reused, PEER);
        assertEquals("the bytes and 8 a datagram, as asyncio 3.13 counts them", 121 + 3 * 8, transport.getWriteBufferSize());
        assertEquals("over the high-water mark", List.of("pause"), protocol.flow);
        assertNotNull("waits for writability", readiness.writer);

        channel.full = false;
        readiness.fireWriter();
        assertEquals(List.of(1, 2, 3), channel.sentFirstBytes());
        assertEquals(0, transport.getWriteBufferSize());
        assertEquals(List.of("pause", "resume"), protocol.flow);
        assertNull("no longer waits for writability", readiness.writer);
    }

    /**
     * asyncio 3.13 counts each buffered datagram's 8 header bytes beside its data (selector_events'
     * {@code _header_size}, given back as it sends it), so that small and empty datagrams, which it sends
     * now, still reach the high-water mark: 20 one-byte datagrams are 180, over 100.
     */
    @Test
    public void bufferedDatagramsCountTheirHeaderForFlowControl() {
        DatagramChannelTransport transport = started();
        transport.setWriteBufferLimits(100, 50);
        channel.full = true;
        for (int i = 0; i < 20; i++) {
            transport.sendto(new byte[] {(byte) i}, PEER);
        }
        assertEquals(20 + 20 * 8, transport.getWriteBufferSize());
        assertEquals("over the high-water mark", List.of("pause"), protocol.flow);
        channel.full = false;
        readiness.fireWriter();
        assertEquals(0, transport.getWriteBufferSize());
        assertEquals(List.of("pause", "resume"), protocol.flow);
    }

    @Test
    public void aSendErrorWhileDrainingReachesErrorReceivedAndTheRestStaysBuffered() {
        DatagramChannelTransport transport = started();
        channel.full = true;
        transport.sendto(new byte[] {1}, PEER);
        transport.sendto(new byte[] {2}, PEER);
        channel.full = false;
        PortUnreachableException unreachable = new PortUnreachableException("ICMP port unreachable");
        channel.failNext = unreachable;
        readiness.fireWriter();
        // in the C library's words, as asyncio's ConnectionRefusedError, the JDK's exception as its cause
        assertEquals("Connection refused", protocol.errors.get(0).getMessage());
        assertSame(unreachable, protocol.errors.get(0).getCause());
        assertEquals("the failed datagram is gone, the next waits", 1 + 8, transport.getWriteBufferSize());
        readiness.fireWriter();
        assertEquals(List.of(2), channel.sentFirstBytes());
        assertTrue("still open", !transport.isClosing());
    }

    @Test
    public void closeWaitsForTheBufferToDrainAndAbortDropsIt() {
        DatagramChannelTransport transport = started();
        channel.full = true;
        transport.sendto(new byte[] {1}, PEER);
        transport.close();
        assertNull("no reader after close", readiness.reader);
        LoopTestSupport.runFor(loop, CompletableFuture.runAsync(() -> { }, loop::callSoon));
        assertTrue("connectionLost waits for the buffered datagram", protocol.lost.isEmpty());
        channel.full = false;
        readiness.fireWriter();
        assertEquals(List.of(1), channel.sentFirstBytes());
        assertEquals(1, protocol.lost.size());
        assertTrue(channel.closed);
    }

    private DatagramChannelTransport started() {
        DatagramChannelTransport transport = new DatagramChannelTransport(loop, readiness, channel, protocol, null);
        transport.start(() -> { });
        CompletableFuture<Void> made = new CompletableFuture<>();
        loop.callSoon(() -> made.complete(null));
        LoopTestSupport.runFor(loop, made);
        return transport;
    }

    // ---- stand-ins ---------------------------------------------------------------------------------------

    private static final class Recorder implements DatagramProtocol {
        final List<String> flow = new ArrayList<>();
        final List<Exception> errors = new ArrayList<>();
        final List<Exception> lost = new ArrayList<>();

        @Override
        public void pauseWriting() {
            flow.add("pause");
        }

        @Override
        public void resumeWriting() {
            flow.add("resume");
        }

        @Override
        public void errorReceived(Exception exc) {
            errors.add(exc);
        }

        @Override
        public void connectionLost(Exception exc) {
            lost.add(exc);
        }
    }

    /** Readiness the test fires itself. */
    private static final class ManualReadiness implements ChannelReadiness {
        Runnable reader;
        Runnable writer;

        void fireWriter() {
            assertNotNull("a writer is registered", writer);
            writer.run();
        }

        @Override
        public Handle addReader(SelectableChannel channel, Runnable callback) {
            reader = callback;
            return new Handle() {
                @Override
                public void cancel() {
                }

                @Override
                public boolean isCancelled() {
                    return reader != callback;
                }
            };
        }

        @Override
        public boolean removeReader(SelectableChannel channel) {
            boolean had = reader != null;
            reader = null;
            return had;
        }

        @Override
        public Handle addWriter(SelectableChannel channel, Runnable callback) {
            writer = callback;
            return new Handle() {
                @Override
                public void cancel() {
                }

                @Override
                public boolean isCancelled() {
                    return writer != callback;
                }
            };
        }

        @Override
        public boolean removeWriter(SelectableChannel channel) {
            boolean had = writer != null;
            writer = null;
            return had;
        }
    }

    /** An unconnected datagram channel whose sends would block while {@link #full}, or fail once with {@link #failNext}. */
    private static final class FullableChannel extends DatagramChannel {
        boolean full;
        IOException failNext;
        boolean closed;
        final List<byte[]> sent = new ArrayList<>();

        FullableChannel() {
            super(SelectorProvider.provider());
        }

        List<Integer> sentFirstBytes() {
            return sent.stream().map(b -> (int) b[0]).toList();
        }

        @Override
        public int send(ByteBuffer src, SocketAddress target) throws IOException {
            if (failNext != null) {
                IOException failure = failNext;
                failNext = null;
                src.position(src.limit());
                throw failure;
            }
            if (full) {
                return 0;
            }
            byte[] datagram = new byte[src.remaining()];
            src.get(datagram);
            sent.add(datagram);
            return datagram.length;
        }

        @Override
        public boolean isConnected() {
            return false;
        }

        @Override
        public SocketAddress getLocalAddress() {
            return new InetSocketAddress("127.0.0.1", 5);
        }

        @Override
        public SocketAddress getRemoteAddress() {
            return null;
        }

        @Override
        protected void implCloseSelectableChannel() {
            closed = true;
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
        }

        // what the transport never calls

        @Override
        public DatagramChannel bind(SocketAddress local) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> DatagramChannel setOption(SocketOption<T> name, T value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> T getOption(SocketOption<T> name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return Set.of();
        }

        @Override
        public DatagramSocket socket() {
            throw new UnsupportedOperationException();
        }

        @Override
        public DatagramChannel connect(SocketAddress remote) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DatagramChannel disconnect() {
            throw new UnsupportedOperationException();
        }

        @Override
        public SocketAddress receive(ByteBuffer dst) {
            return null;
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MembershipKey join(InetAddress group, NetworkInterface interf) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) {
            throw new UnsupportedOperationException();
        }
    }
}
