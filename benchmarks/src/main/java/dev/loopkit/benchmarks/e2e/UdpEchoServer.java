package dev.loopkit.benchmarks.e2e;

import dev.loopkit.api.DatagramEndpoint;
import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.DatagramTransport;
import dev.loopkit.benchmarks.Loops;
import dev.loopkit.benchmarks.LoopkitDriver;
import dev.loopkit.benchmarks.NettyDriver;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP echo server on 127.0.0.1 (an ephemeral port), one loop thread: Loopkit's
 * {@code createDatagramEndpoint} with asyncio's echo protocol ({@code datagram_received} sends the
 * datagram back with {@code sendto}), or Netty's {@code NioDatagramChannel}/{@code EpollDatagramChannel}
 * with a handler that writes each packet back to its sender and flushes after the read burst. The
 * load comes from {@code native/udp_echo_client.c}, the same client for every peer.
 */
public final class UdpEchoServer implements ServerWorkload {

    private final Serving serving;

    private UdpEchoServer(String loopName) throws Exception {
        SocketAddress local = new InetSocketAddress("127.0.0.1", 0);
        if (Loops.isNetty(loopName)) {
            EventLoopGroup group = Loops.nettyGroup(loopName, 1);
            Channel bound = new Bootstrap()
                    .group(group)
                    .channel(Loops.NETTY_EPOLL.equals(loopName) ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .handler(NettyUdpEcho.INSTANCE)
                    .bind(local).sync().channel();
            serving = Serving.netty(new NettyDriver(loopName, group), bound);
            return;
        }
        LoopkitDriver loopkit = (LoopkitDriver) Loops.start(loopName);
        DatagramEndpoint<UdpEcho> endpoint = ServerWorkload.madeOnLoop(loopkit,
                loop -> loop.createDatagramEndpoint(UdpEcho::new, local, null));
        serving = Serving.loopkitDatagrams(loopkit, endpoint.transport());
    }

    public static UdpEchoServer start(String loopName) throws Exception {
        return new UdpEchoServer(loopName);
    }

    /** Serves until standard input ends ({@link ServerWorkload#serve}). */
    public static void serve(String loopName) throws Exception {
        ServerWorkload.serve(() -> start(loopName));
    }

    @Override
    public int port() {
        return serving.port();
    }

    @Override
    public void close() {
        serving.close();
    }

    /** asyncio's UDP echo: {@code self.transport.sendto(data, addr)}. */
    static final class UdpEcho implements DatagramProtocol {
        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport made) {
            transport = made;
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress addr) {
            transport.sendto(data, addr);
        }
    }

    /** Netty's UDP echo: each packet's content back to its sender, flushed when the read burst is over. */
    @Sharable
    static final class NettyUdpEcho extends SimpleChannelInboundHandler<DatagramPacket> {
        static final NettyUdpEcho INSTANCE = new NettyUdpEcho();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ctx.write(new DatagramPacket(packet.content().retain(), packet.sender()));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a send that failed (ICMP from a client gone): the echo goes on, as asyncio's error_received
        }
    }
}
