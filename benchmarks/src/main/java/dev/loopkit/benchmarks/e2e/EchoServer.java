package dev.loopkit.benchmarks.e2e;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import dev.loopkit.streams.StreamReader;
import dev.loopkit.streams.StreamWriter;
import dev.loopkit.streams.Streams;
import dev.loopkit.benchmarks.LoopDriver;
import dev.loopkit.benchmarks.Loops;
import dev.loopkit.benchmarks.LoopkitDriver;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TCP echo server on 127.0.0.1 (an ephemeral port), one loop thread: Loopkit's selector or
 * proactor loop through a {@link Protocol} or through streams (asyncio's {@code start_server} with
 * {@code read(65536)}, {@code write}, {@code drain}), or Netty with one event loop serving both the
 * listening socket and the connections. Prints {@code READY <port>}, then serves until its standard
 * input ends. The load comes from {@code native/echo_client.c}, the same client for every peer.
 */
public final class EchoServer implements AutoCloseable {

    private final LoopDriver driver;
    private final int port;
    private Server loopkitServer;
    private Channel nettyChannel;

    private EchoServer(String loopName, String api) throws Exception {
        if (Loops.isNetty(loopName)) {
            EventLoopGroup group = Loops.nettyGroup(loopName, 1);
            driver = new dev.loopkit.benchmarks.NettyDriver(loopName, group);
            nettyChannel = new ServerBootstrap()
                    .group(group)
                    .channel(Loops.NETTY_EPOLL.equals(loopName) ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 100)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(NettyEcho.INSTANCE);
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            port = ((InetSocketAddress) nettyChannel.localAddress()).getPort();
            return;
        }
        LoopkitDriver loopkit = (LoopkitDriver) Loops.start(loopName);
        driver = loopkit;
        EventLoop loop = loopkit.loop();
        CompletableFuture<Server> made = new CompletableFuture<>();
        driver.submit(() -> {
            var server = switch (api) {
                case "protocol" -> loop.createServer(EchoProtocol::new, "127.0.0.1", 0);
                case "streams" -> Streams.startServer(loop, (reader, writer) -> echo(loop, reader, writer),
                        "127.0.0.1", 0, StreamReader.DEFAULT_LIMIT);
                default -> throw new IllegalArgumentException("api is protocol or streams, not " + api);
            };
            server.whenComplete((s, e) -> {
                if (e != null) {
                    made.completeExceptionally(e);
                } else {
                    made.complete(s);
                }
            });
        });
        loopkitServer = made.get(30, TimeUnit.SECONDS);
        port = ((InetSocketAddress) loopkitServer.sockets().get(0).localAddress()).getPort();
    }

    public static EchoServer start(String loopName, String api) throws Exception {
        return new EchoServer(loopName, api);
    }

    public int port() {
        return port;
    }

    /** Prints {@code READY <port>} and serves until standard input ends. */
    public static void serve(String loopName, String api) throws Exception {
        try (EchoServer server = start(loopName, api)) {
            System.out.println("READY " + server.port());
            System.out.flush();
            InputStream in = System.in;
            byte[] sink = new byte[256];
            while (in.read(sink) >= 0) {
                // the driver closes our stdin to stop us
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (nettyChannel != null) {
            nettyChannel.close().syncUninterruptibly();
        }
        if (loopkitServer != null) {
            CompletableFuture<Void> closed = new CompletableFuture<>();
            driver.submit(() -> {
                loopkitServer.close();
                loopkitServer.abortClients();
                closed.complete(null);
            });
            closed.join();
        }
        driver.close();
    }

    /** asyncio's echo protocol: whatever arrives is written back. */
    static final class EchoProtocol implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport made) {
            transport = made;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    /** asyncio's stream echo: {@code data = await reader.read(65536); writer.write(data); await writer.drain()}. */
    private static LoopFuture<Void> echo(EventLoop loop, StreamReader reader, StreamWriter writer) {
        LoopFuture<Void> finished = loop.createFuture();
        pump(reader, writer, finished);
        return finished;
    }

    private static void pump(StreamReader reader, StreamWriter writer, LoopFuture<Void> finished) {
        reader.read(65536).whenComplete((data, error) -> {
            if (error != null || data.length == 0) {
                writer.close();
                finished.setResult(null);
                return;
            }
            writer.write(data);
            writer.drain().whenComplete((ok, failed) -> {
                if (failed != null) {
                    writer.close();
                    finished.setResult(null);
                } else {
                    pump(reader, writer, finished);
                }
            });
        });
    }

    /** Netty's echo handler: write what was read, flush when the read burst is over. */
    @Sharable
    static final class NettyEcho extends ChannelInboundHandlerAdapter {
        static final NettyEcho INSTANCE = new NettyEcho();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
