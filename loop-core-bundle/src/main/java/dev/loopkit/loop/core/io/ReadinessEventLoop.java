package dev.loopkit.loop.core.io;

import java.util.List;
import java.util.ArrayList;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import dev.loopkit.loop.core.transports.AbstractServer;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.api.Server;
import dev.loopkit.api.Connection;
import dev.loopkit.api.Handle;
import dev.loopkit.loop.core.scheduling.CallbackHandle;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.ChannelHandles;
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.transports.ChannelSocketTransport;
import dev.loopkit.loop.core.SocketOperations;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A loop that watches java.nio channels for readiness, as asyncio's {@code SelectorEventLoop}
 * does: {@code addReader}/{@code addWriter} on channels, and the {@code sock*} operations on
 * non-blocking JDK sockets built on them. The subclass says where its channel interests live.
 */
public abstract class ReadinessEventLoop extends TransportEventLoop {

    /** The loop's readers and writers on channels. */
    protected abstract ChannelHandles channels();

    @Override
    protected Handle watchReadable(SelectableChannel channel, Runnable callback) {
        checkCanWatch(channel, callback);
        CallbackHandle handle = newHandle(callback);
        channels().addReader(channel, handle);
        return handle;
    }

    @Override
    protected boolean unwatchReadable(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel");
        return !isClosed() && channels().removeReader(channel);
    }

    @Override
    protected Handle watchWritable(SelectableChannel channel, Runnable callback) {
        checkCanWatch(channel, callback);
        CallbackHandle handle = newHandle(callback);
        channels().addWriter(channel, handle);
        return handle;
    }

    @Override
    protected boolean unwatchWritable(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel");
        return !isClosed() && channels().removeWriter(channel);
    }

    private void checkCanWatch(SelectableChannel channel, Runnable callback) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        checkThread();
    }

    @Override
    protected int watchedChannels() {
        return channels().watched();
    }

    @Override
    public LoopFuture<Integer> sockRecv(NetworkChannel channel, ByteBuffer buffer) {
        checkClosed();
        ensureNoTransport(channel);
        return SocketOperations.recv(this, channel, buffer);
    }

    @Override
    public LoopFuture<Void> sockSendall(NetworkChannel channel, ByteBuffer data) {
        checkClosed();
        ensureNoTransport(channel);
        return SocketOperations.sendall(this, channel, data);
    }

    @Override
    public LoopFuture<NetworkChannel> sockAccept(NetworkChannel serverChannel) {
        checkClosed();
        ensureNoTransport(serverChannel);
        return SocketOperations.accept(this, serverChannel);
    }

    @Override
    public LoopFuture<Void> sockConnect(NetworkChannel channel, SocketAddress address) {
        checkClosed();
        ensureNoTransport(channel);
        return Networks.afterResolving(this, address, resolved -> SocketOperations.connect(this, channel, resolved));
    }

    /**
     * asyncio {@code connect_accepted_socket}: {@code channel} must be a connected {@link SocketChannel}
     * that no transport uses (asyncio's {@code _make_socket_transport} checks it: the second transport
     * would take the first's reader).
     */
    @Override
    protected <P extends Protocol> CompletionStage<Connection<P>> startAcceptedTransport(NetworkChannel channel,
            Supplier<P> protocolFactory) {
        if (!(channel instanceof SocketChannel socket)) {
            throw new IllegalArgumentException("A Stream Socket was expected, got " + channel);
        }
        ensureNoTransport(socket);
        boolean unix;
        try {
            socket.configureBlocking(false);
            unix = socket.getLocalAddress() instanceof UnixDomainSocketAddress;
        } catch (IOException e) {
            return Networks.failed(this, e);
        }
        return startTransport(socket, protocolFactory, !unix);
    }

    /** A transport and its protocol on a connected JDK socket, watched as a channel; TCP gets {@code TCP_NODELAY}, as asyncio sets it. */
    protected final <P extends Protocol> CompletionStage<Connection<P>> startTransport(SocketChannel socket,
            Supplier<P> protocolFactory, boolean tcp) {
        LoopFuture<Connection<P>> made = createFuture();
        try {
            if (tcp) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            ChannelSocketTransport transport = new ChannelSocketTransport(this, socket, protocol, null);
            transport.start(() -> made.setResult(new Connection<>(transport, protocol)));
        } catch (IOException | RuntimeException | Error e) { // an Error of the user's factory (an assert) too
            Networks.closeQuietly(socket);
            made.setException(e);
            Scheduler.rethrowIfFatal(e);
        }
        return made;
    }

    // ---- servers: asyncio's create_server steps, the same for every socket kind ---------------------------

    @Override
    public CompletionStage<Server> createServer(Supplier<? extends Protocol> appProtocolFactory, String host, int port,
            ServerOptions options) {
        Supplier<? extends Protocol> protocolFactory = serverProtocols(appProtocolFactory, options);
        Networks.checkPort(port);
        checkClosed();
        return Networks.serverAddresses(this, host, port).thenCompose(resolved -> {
            List<NetworkChannel> listening = new ArrayList<>();
            try {
                for (InetSocketAddress address : resolved) {
                    listening.add(listen(address, options));
                }
            } catch (IOException e) {
                listening.forEach(Networks::closeQuietly);
                return Networks.failed(this, e);
            }
            return serve(listening, protocolFactory, options, null);
        });
    }

    @Override
    public CompletionStage<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        checkClosed();
        try {
            UnixDomainSocketAddress address = Networks.unixAddress(path);
            Networks.removeStaleUnixSocket(path);
            NetworkChannel listening = listen(address, ServerOptions.defaults());
            return serve(List.of(listening), protocolFactory, ServerOptions.defaults(), path);
        } catch (IOException e) {
            return Networks.failed(this, e);
        }
    }

    // A server that cannot start serving (a loop that listens only then, and the port is another's) is closed,
    // and its creation fails with the reason
    private CompletionStage<Server> serve(List<NetworkChannel> listening, Supplier<? extends Protocol> protocolFactory,
            ServerOptions options, Path unixPath) {
        AbstractServer server = newServer(listening, protocolFactory, options.backlog(), unixPath);
        if (options.startServing()) {
            try {
                server.startServing();
            } catch (UncheckedIOException cannotListen) {
                server.close();
                return Networks.failed(this, cannotListen.getCause());
            }
        }
        return Networks.completed(this, server);
    }

    /**
     * A socket of this loop's kind bound to {@code address} (TCP or Unix) as {@code options} say, and
     * listening unless its server listens when it starts serving.
     */
    protected abstract NetworkChannel listen(SocketAddress address, ServerOptions options) throws IOException;

    /** The loop's server on sockets {@link #listen} made; it does not accept yet. */
    protected abstract AbstractServer newServer(List<NetworkChannel> listening, Supplier<? extends Protocol> protocolFactory,
            int backlog, Path unixPath);
}
