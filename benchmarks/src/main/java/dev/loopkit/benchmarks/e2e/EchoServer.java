package dev.loopkit.benchmarks.e2e;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.api.Transport;
import dev.loopkit.streams.StreamReader;
import dev.loopkit.streams.StreamWriter;
import dev.loopkit.streams.Streams;
import dev.loopkit.benchmarks.Loops;
import dev.loopkit.benchmarks.LoopkitDriver;
import dev.loopkit.benchmarks.NettyDriver;
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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP echo server on 127.0.0.1 (an ephemeral port), plain or TLS 1.3 (the JDK's provider: Loopkit's
 * {@code ssl} server option, Netty's {@code SslHandler} with {@code SslProvider.JDK}), one loop thread: Loopkit's selector, proactor
 * or epoll loop through a {@link Protocol} or through streams (asyncio's {@code start_server} with
 * {@code read(65536)}, {@code write}, {@code drain}), or Netty with one event loop serving both the
 * listening socket and the connections. Prints {@code READY <port>}, then serves until its standard
 * input ends; a loop that refuses sockets prints {@code UNSUPPORTED <its message>} instead. The load
 * comes from {@code native/echo_client.c} ({@code native/tls_echo_client.c} for TLS), the same client
 * for every peer.
 */
public final class EchoServer implements ServerWorkload {

    /** Connections accepted so far (the idle-connections workload waits for all of them). */
    private final AtomicInteger accepted = new AtomicInteger();
    private final Serving serving;

    private EchoServer(String loopName, String api, Path keyStore) throws Exception {
        if (Loops.isNetty(loopName)) {
            SslContext tls = keyStore == null ? null : SslContextBuilder.forServer(BenchCertificate.keyManagers(keyStore))
                    .sslProvider(SslProvider.JDK).protocols(BenchCertificate.PROTOCOL).build();
            EventLoopGroup group = Loops.nettyGroup(loopName, 1);
            Channel bound = new ServerBootstrap()
                    .group(group)
                    .channel(Loops.NETTY_EPOLL.equals(loopName) ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, BACKLOG)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            accepted.incrementAndGet();
                            if (tls != null) {
                                channel.pipeline().addLast(tls.newHandler(channel.alloc()));
                            }
                            channel.pipeline().addLast(NettyEcho.INSTANCE);
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            serving = Serving.netty(new NettyDriver(loopName, group), bound);
            return;
        }
        ServerOptions options = keyStore == null ? OPTIONS : OPTIONS.withSsl(BenchCertificate.serverContext(keyStore));
        LoopkitDriver loopkit = (LoopkitDriver) Loops.start(loopName);
        serving = Serving.loopkit(loopkit, ServerWorkload.madeOnLoop(loopkit, loop -> listen(loop, api, options)));
    }

    // asyncio's default backlog is 100; the idle-connections workload opens 10,000 at once, so the
    // listener takes more (the kernel caps it at net.core.somaxconn), the same for every server.
    private static final int BACKLOG = 4096;
    private static final ServerOptions OPTIONS = ServerOptions.defaults().withBacklog(BACKLOG);

    private CompletionStage<Server> listen(EventLoop loop, String api, ServerOptions options) {
        return switch (api) {
            case "protocol" -> loop.createServer(() -> new EchoProtocol(accepted), "127.0.0.1", 0, options);
            case "streams" -> Streams.startServer(loop, (reader, writer) -> {
                accepted.incrementAndGet();
                return echo(loop, reader, writer);
            }, "127.0.0.1", 0, StreamReader.DEFAULT_LIMIT, options);
            default -> throw new IllegalArgumentException("api is protocol or streams, not " + api);
        };
    }

    /** A plain TCP echo server. */
    public static EchoServer start(String loopName, String api) throws Exception {
        return new EchoServer(loopName, api, null);
    }

    /** A TLS 1.3 echo server with the key of {@code keyStore} ({@link BenchCertificate}); {@code null}: plain TCP. */
    public static EchoServer start(String loopName, String api, Path keyStore) throws Exception {
        return new EchoServer(loopName, api, keyStore);
    }

    @Override
    public int port() {
        return serving.port();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Serves plain TCP, or TLS with {@code keyStore}, until standard input ends ({@link ServerWorkload#serve}). */
    public static void serve(String loopName, String api, Path keyStore) throws Exception {
        ServerWorkload.serve(() -> start(loopName, api, keyStore));
    }

    /** A started server, or {@code null} after printing {@code UNSUPPORTED <message>} for a loop that refuses sockets. */
    static EchoServer startOrSayUnsupported(String loopName, String api) throws Exception {
        return ServerWorkload.startOrSayUnsupported(() -> start(loopName, api));
    }

    @Override
    public void close() {
        serving.close();
    }

    /** asyncio's echo protocol: whatever arrives is written back. */
    static final class EchoProtocol implements Protocol {
        private final AtomicInteger accepted;
        private Transport transport;

        EchoProtocol(AtomicInteger accepted) {
            this.accepted = accepted;
        }

        @Override
        public void connectionMade(Transport made) {
            transport = made;
            accepted.incrementAndGet();
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
