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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP echo server on 127.0.0.1 (an ephemeral port), one loop thread: Loopkit's selector, proactor
 * or epoll loop through a {@link Protocol} or through streams (asyncio's {@code start_server} with
 * {@code read(65536)}, {@code write}, {@code drain}), or Netty with one event loop serving both the
 * listening socket and the connections. Prints {@code READY <port>}, then serves until its standard
 * input ends; a loop that refuses sockets prints {@code UNSUPPORTED <its message>} instead. The load
 * comes from {@code native/echo_client.c}, the same client for every peer.
 */
public final class EchoServer implements AutoCloseable {

    /** The line a server workload prints, instead of {@code READY}, when its loop refuses sockets. */
    public static final String UNSUPPORTED = "UNSUPPORTED ";

    private final LoopDriver driver;
    private final int port;
    /** Connections accepted so far (the idle-connections workload waits for all of them). */
    private final AtomicInteger accepted = new AtomicInteger();
    private Server loopkitServer;
    private Channel nettyChannel;

    private EchoServer(String loopName, String api) throws Exception {
        if (Loops.isNetty(loopName)) {
            EventLoopGroup group = Loops.nettyGroup(loopName, 1);
            driver = new dev.loopkit.benchmarks.NettyDriver(loopName, group);
            nettyChannel = new ServerBootstrap()
                    .group(group)
                    .channel(Loops.NETTY_EPOLL.equals(loopName) ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, BACKLOG)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            accepted.incrementAndGet();
                            channel.pipeline().addLast(NettyEcho.INSTANCE);
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            port = ((InetSocketAddress) nettyChannel.localAddress()).getPort();
            return;
        }
        LoopkitDriver loopkit = (LoopkitDriver) Loops.start(loopName);
        driver = loopkit;
        try {
            loopkitServer = listen(loopkit.loop(), api).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            driver.close();
            if (e.getCause() instanceof UnsupportedOperationException refused) {
                throw refused; // the epoll loop, while it refuses sockets
            }
            throw e;
        } catch (Exception | Error e) {
            driver.close();
            throw e;
        }
        port = ((InetSocketAddress) loopkitServer.sockets().get(0).localAddress()).getPort();
    }

    // asyncio's default backlog is 100; the idle-connections workload opens 10,000 at once, so the
    // listener takes more (the kernel caps it at net.core.somaxconn), the same for every server.
    private static final int BACKLOG = 4096;
    private static final ServerOptions OPTIONS = ServerOptions.defaults().withBacklog(BACKLOG);

    /** Made on the loop thread; fails with what the loop threw (an epoll loop that refuses sockets throws at once). */
    private CompletableFuture<Server> listen(EventLoop loop, String api) {
        CompletableFuture<Server> made = new CompletableFuture<>();
        driver.submit(() -> {
            try {
                var server = switch (api) {
                    case "protocol" -> loop.createServer(() -> new EchoProtocol(accepted), "127.0.0.1", 0, OPTIONS);
                    case "streams" -> Streams.startServer(loop, (reader, writer) -> {
                        accepted.incrementAndGet();
                        return echo(loop, reader, writer);
                    }, "127.0.0.1", 0, StreamReader.DEFAULT_LIMIT, OPTIONS);
                    default -> throw new IllegalArgumentException("api is protocol or streams, not " + api);
                };
                server.whenComplete((s, e) -> {
                    if (e != null) {
                        made.completeExceptionally(e);
                    } else {
                        made.complete(s);
                    }
                });
            } catch (RuntimeException refused) {
                made.completeExceptionally(refused);
            }
        });
        return made;
    }

    public static EchoServer start(String loopName, String api) throws Exception {
        return new EchoServer(loopName, api);
    }

    public int port() {
        return port;
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /**
     * Prints {@code READY <port>} and serves until standard input ends; prints
     * {@code UNSUPPORTED <message>} and returns when the loop refuses sockets.
     */
    public static void serve(String loopName, String api) throws Exception {
        EchoServer server = startOrSayUnsupported(loopName, api);
        if (server == null) {
            return;
        }
        try (server) {
            System.out.println("READY " + server.port());
            System.out.flush();
            InputStream in = System.in;
            byte[] sink = new byte[256];
            while (in.read(sink) >= 0) {
                // the driver closes our stdin to stop us
            }
        }
    }

    /** A started server, or {@code null} after printing {@code UNSUPPORTED <message>} for a loop that refuses sockets. */
    static EchoServer startOrSayUnsupported(String loopName, String api) throws Exception {
        try {
            return start(loopName, api);
        } catch (UnsupportedOperationException refused) {
            System.out.println(UNSUPPORTED + String.valueOf(refused.getMessage()).replace('\n', ' '));
            System.out.flush();
            return null;
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
