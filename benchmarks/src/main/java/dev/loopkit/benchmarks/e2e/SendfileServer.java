package dev.loopkit.benchmarks.e2e;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Transport;
import dev.loopkit.benchmarks.Loops;
import dev.loopkit.benchmarks.LoopkitDriver;
import dev.loopkit.benchmarks.NettyDriver;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A TCP server on 127.0.0.1 (an ephemeral port), one loop thread, that sends the whole of one file to
 * each connection and then closes it: Loopkit's {@code loop.sendfile(transport, file)} from the
 * protocol's {@code connectionMade} (asyncio's way; zero-copy where the loop can, asyncio's fallback
 * where it cannot), or Netty writing a {@link DefaultFileRegion} ({@code transferTo} on NIO, the native
 * {@code sendfile(2)} on epoll) when the channel becomes active. The reader is
 * {@code native/sendfile_floor.c read}, the same for every server.
 */
public final class SendfileServer implements ServerWorkload {

    private final Serving serving;

    private SendfileServer(String loopName, Path file) throws Exception {
        if (Loops.isNetty(loopName)) {
            EventLoopGroup group = Loops.nettyGroup(loopName, 1);
            Channel bound = new ServerBootstrap()
                    .group(group)
                    .channel(Loops.NETTY_EPOLL.equals(loopName) ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childHandler(new NettySendfile(file.toFile()))
                    .bind("127.0.0.1", 0).sync().channel();
            serving = Serving.netty(new NettyDriver(loopName, group), bound);
            return;
        }
        LoopkitDriver loopkit = (LoopkitDriver) Loops.start(loopName);
        serving = Serving.loopkit(loopkit, ServerWorkload.madeOnLoop(loopkit,
                loop -> loop.createServer(() -> new SendfileProtocol(loop, file), "127.0.0.1", 0)));
    }

    public static SendfileServer start(String loopName, Path file) throws Exception {
        return new SendfileServer(loopName, file);
    }

    /** Serves until standard input ends ({@link ServerWorkload#serve}). */
    public static void serve(String loopName, Path file) throws Exception {
        ServerWorkload.serve(() -> start(loopName, file));
    }

    @Override
    public int port() {
        return serving.port();
    }

    @Override
    public void close() {
        serving.close();
    }

    /** {@code await loop.sendfile(transport, file); transport.close()}, started from {@code connection_made}. */
    static final class SendfileProtocol implements Protocol {
        private final EventLoop loop;
        private final Path file;

        SendfileProtocol(EventLoop loop, Path file) {
            this.loop = loop;
            this.file = file;
        }

        @Override
        public void connectionMade(Transport transport) {
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (IOException e) {
                transport.abort();
                throw new UncheckedIOException(e);
            }
            loop.sendfile(transport, channel).addDoneCallback(sent -> {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // a file opened for reading: nothing was lost
                }
                transport.close();
            });
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            // the reader sends nothing
        }
    }

    /** Netty: the file as one region, then the channel closed. */
    @Sharable
    static final class NettySendfile extends ChannelInboundHandlerAdapter {
        private final File file;

        NettySendfile(File file) {
            this.file = file;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new DefaultFileRegion(file, 0, file.length())).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
