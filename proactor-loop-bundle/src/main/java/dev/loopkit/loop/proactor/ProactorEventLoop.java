package dev.loopkit.loop.proactor;

import dev.loopkit.api.Connection;
import dev.loopkit.api.DatagramEndpoint;
import dev.loopkit.api.DatagramOptions;
import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.ChannelPoller;
import dev.loopkit.loop.core.ChannelReadiness;
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.io.TransportEventLoop;
import dev.loopkit.loop.core.scheduling.Parking;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.loop.core.subprocess.SubprocessLauncher;
import dev.loopkit.loop.core.transports.DatagramEndpoints;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * asyncio's {@code ProactorEventLoop}: completion-based. Socket operations are started on NIO.2
 * asynchronous channels ({@link AsynchronousSocketChannel}, {@link AsynchronousServerSocketChannel})
 * in a channel group the loop owns; the group's threads ({@code loopkit-proactor-<id>-<n>}, made on
 * first network use) hand each completion to the loop with {@code callSoonThreadsafe}, so every
 * callback runs on the loop thread. Nothing is polled for readiness: the loop thread parks until a
 * completion or another thread hands it work, which unparks it.
 *
 * <p>As asyncio's proactor, it has no readiness operations on channels ({@code addReader} and
 * friends on a {@link SelectableChannel} throw {@link UnsupportedOperationException}, asyncio's
 * {@code NotImplementedError}); raw file descriptors ({@code addReader(int, …)}) are served as on
 * every loop. Unix-domain sockets are not supported: JDK 17's asynchronous channels cannot open them
 * (asyncio's Windows proactor has no {@code create_unix_*} either).
 *
 * <p>{@code sock*} operations take {@link AsynchronousSocketChannel} and
 * {@link AsynchronousServerSocketChannel}; {@link #openSocketChannel()} and
 * {@link #openServerSocketChannel()} make them in the loop's group, which closes them with the loop.
 * Cancelling the future of a pending {@code sock*} operation closes its channel (see
 * {@code SocketCompletion}: NIO.2 cannot withdraw a started operation).
 */
public class ProactorEventLoop extends TransportEventLoop {

    /**
     * Completion threads by default. They only move outcomes to the loop (and perform the socket
     * reads and writes NIO.2 does on them), so a small pool is enough; two keep one busy with I/O from
     * delaying the next completion.
     */
    public static final int DEFAULT_COMPLETION_THREADS = 2;

    private final CompletionGroup completions;
    /** Watches the loop's UDP sockets; made on first use, loop thread only. */
    private ChannelPoller channelPoller;

    public ProactorEventLoop() {
        this(DEFAULT_COMPLETION_THREADS);
    }

    /** A loop whose channel group has {@code completionThreads} threads. */
    public ProactorEventLoop(int completionThreads) {
        if (completionThreads < 1) {
            throw notMade(new IllegalArgumentException("completionThreads must be >= 1, not " + completionThreads));
        }
        completions = new CompletionGroup("loopkit-proactor-" + id() + "-", completionThreads);
        closeIfDropped(completions::shutDownDropped);
    }

    // ---- waiting ------------------------------------------------------------------------------------

    @Override
    protected void poll(long timeoutNanos) {
        Parking.await(this, timeoutNanos);
    }

    @Override
    protected void wakeup() {
        Parking.wake(owner());
    }

    @Override
    protected CompletionStage<SubprocessTransport> makeSubprocessTransport(
            Supplier<? extends SubprocessProtocol> protocolFactory, List<String> args, SubprocessOptions options) {
        return SubprocessLauncher.launch(this, protocolFactory, args, options);
    }

    /**
     * Shuts the channel group down (closing what is still open in it) and waits for its threads to
     * end; stops the channel poller.
     */
    @Override
    protected void closeResources() {
        completions.close();
        if (channelPoller != null) {
            channelPoller.close();
        }
    }

    // ---- UDP: a DatagramChannel on a helper selector ----------------------------------------------------

    /**
     * NIO.2 has no asynchronous datagram channel, so UDP endpoints, {@code sockRecvfrom} and
     * {@code sockSendto} use a non-blocking {@code DatagramChannel} watched by a {@link ChannelPoller}:
     * a selector on a helper thread of the loop's own ({@code loopkit-channelpoller-<id>}, made on the
     * first such channel), which hands each readiness to the loop thread. (Windows' proactor reads
     * datagrams with overlapped {@code WSARecvFrom}; the callbacks the protocol sees are the same.)
     * Zero-copy {@code sendfile} does not use it: the proactor's TCP sockets are asynchronous channels,
     * so {@code sendfile} takes asyncio's fallback.
     */
    @Override
    protected ChannelReadiness channelReadiness() {
        if (channelPoller == null) {
            checkClosed();
            channelPoller = new ChannelPoller(this);
        }
        return channelPoller;
    }

    @Override
    protected int watchedChannels() {
        return channelPoller == null || isClosed() ? 0 : channelPoller.size();
    }

    // ---- channels of this loop -----------------------------------------------------------------------

    /** A TCP socket in this loop's channel group, for the {@code sock*} operations; the loop closes it when it closes. Any thread. */
    public AsynchronousSocketChannel openSocketChannel() throws IOException {
        checkClosed();
        return AsynchronousSocketChannel.open(completions.get());
    }

    /** A listening TCP socket (not bound yet) in this loop's channel group, for {@link #sockAccept}. Any thread. */
    public AsynchronousServerSocketChannel openServerSocketChannel() throws IOException {
        checkClosed();
        return AsynchronousServerSocketChannel.open(completions.get());
    }

    // ---- no readiness on channels ----------------------------------------------------------------------

    /**
     * Not provided: a completion-based loop is not told when a channel is ready, as asyncio's
     * {@code ProactorEventLoop} raises {@code NotImplementedError} for {@code add_reader}. Use
     * {@link #sockRecv}, a transport, or {@code addReader(int fd, …)} for a raw descriptor.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void addReader(SelectableChannel channel, Runnable callback) {
        throw noReadiness("addReader");
    }

    /** Not provided, see {@link #addReader(SelectableChannel, Runnable)}. @throws UnsupportedOperationException always */
    @Override
    public boolean removeReader(SelectableChannel channel) {
        throw noReadiness("removeReader");
    }

    /** Not provided, see {@link #addReader(SelectableChannel, Runnable)}. @throws UnsupportedOperationException always */
    @Override
    public void addWriter(SelectableChannel channel, Runnable callback) {
        throw noReadiness("addWriter");
    }

    /** Not provided, see {@link #addReader(SelectableChannel, Runnable)}. @throws UnsupportedOperationException always */
    @Override
    public boolean removeWriter(SelectableChannel channel) {
        throw noReadiness("removeWriter");
    }

    private static UnsupportedOperationException noReadiness(String operation) {
        return new UnsupportedOperationException("ProactorEventLoop does not support " + operation
                + " on channels: it is completion-based, not told when a channel is ready (asyncio's proactor raises"
                + " NotImplementedError too); use sockRecv/sockSendall or a transport, or " + operation
                + "(int fd, …) for a raw file descriptor");
    }

    // ---- low-level socket operations ---------------------------------------------------------------------

    @Override
    public LoopFuture<Integer> sockRecv(NetworkChannel channel, ByteBuffer buffer) {
        AsynchronousSocketChannel socket = channelOf(channel, AsynchronousSocketChannel.class);
        Objects.requireNonNull(buffer, "buffer");
        return SocketCompletion.recv(this, socket, buffer);
    }

    @Override
    public LoopFuture<Void> sockSendall(NetworkChannel channel, ByteBuffer data) {
        AsynchronousSocketChannel socket = channelOf(channel, AsynchronousSocketChannel.class);
        Objects.requireNonNull(data, "data");
        return SocketCompletion.sendall(this, socket, data);
    }

    /**
     * asyncio {@code sock_accept}: the next connection on {@code serverChannel}, an
     * {@link AsynchronousServerSocketChannel} of this loop's group. Any number of listening sockets
     * may each have an accept pending. On one socket, accepts run one at a time (NIO.2 refuses a
     * second while one is pending, where Windows' IOCP would queue it): a second {@code sockAccept}
     * before the first completed fails its future with an {@link IllegalStateException} ("sockAccept()
     * called while another sockAccept() is pending on the same socket…", its cause NIO.2's
     * {@link java.nio.channels.AcceptPendingException}) and leaves the first pending. Call it again
     * once the first completed, or serve with {@link #createServer}, which keeps an accept pending.
     * Cancelling a pending accept closes the listening socket (see the class comment).
     */
    @Override
    public LoopFuture<NetworkChannel> sockAccept(NetworkChannel serverChannel) {
        return SocketCompletion.accept(this, channelOf(serverChannel, AsynchronousServerSocketChannel.class));
    }

    @Override
    public LoopFuture<Void> sockConnect(NetworkChannel channel, SocketAddress address) {
        AsynchronousSocketChannel socket = channelOf(channel, AsynchronousSocketChannel.class);
        Objects.requireNonNull(address, "address");
        return Networks.afterResolving(this, address, resolved -> SocketCompletion.connect(this, socket, resolved));
    }

    private <C extends NetworkChannel> C channelOf(NetworkChannel channel, Class<C> type) {
        Objects.requireNonNull(channel, "channel");
        checkClosed();
        if (!type.isInstance(channel)) {
            throw new IllegalArgumentException("ProactorEventLoop needs a " + type.getName() + ", not "
                    + channel.getClass().getName());
        }
        return type.cast(channel);
    }

    // ---- transports and servers --------------------------------------------------------------------------

    @Override
    protected <P extends Protocol> CompletionStage<Connection<P>> openConnection(Supplier<P> protocolFactory, String host,
            int port, InetSocketAddress localAddr) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(host, "host");
        Networks.checkPort(port);
        checkClosed();
        return Networks.startOnceConnected(this, Networks.firstThatConnects(this, getaddrinfo(host, port), localAddr,
                this::connectTo), socket -> startTransport(socket, protocolFactory));
    }

    // locals: where to bind first (Networks.bindLocally), or null
    private LoopFuture<AsynchronousSocketChannel> connectTo(SocketAddress address, List<InetSocketAddress> locals) {
        AsynchronousSocketChannel socket = null;
        try {
            socket = openSocketChannel();
            Networks.bindLocally(socket, address, locals);
        } catch (IOException | RuntimeException e) {
            if (socket != null) {
                Networks.closeQuietly(socket);
            }
            return Networks.failed(this, e);
        }
        return Networks.whenConnected(this, socket, sockConnect(socket, address));
    }

    private <P extends Protocol> CompletionStage<Connection<P>> startTransport(AsynchronousSocketChannel socket,
            Supplier<P> protocolFactory) {
        LoopFuture<Connection<P>> made = createFuture();
        try {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            ProactorSocketTransport transport = new ProactorSocketTransport(this, socket, protocol, null);
            transport.start(() -> made.setResult(new Connection<>(transport, protocol)));
        } catch (IOException | RuntimeException | Error e) { // an Error of the user's factory (an assert) too
            Networks.closeQuietly(socket);
            made.setException(e);
            Scheduler.rethrowIfFatal(e);
        }
        return made;
    }

    /**
     * asyncio {@code connect_accepted_socket}: {@code channel} must be a connected
     * {@link AsynchronousSocketChannel} of this loop's group ({@link #sockAccept} gives them).
     */
    @Override
    protected <P extends Protocol> CompletionStage<Connection<P>> startAcceptedTransport(NetworkChannel channel,
            Supplier<P> protocolFactory) {
        if (!(channel instanceof AsynchronousSocketChannel socket)) {
            throw new IllegalArgumentException("A Stream Socket was expected, got " + channel);
        }
        return startTransport(socket, protocolFactory);
    }

    @Override
    public CompletionStage<Server> createServer(Supplier<? extends Protocol> appProtocolFactory, String host, int port,
            ServerOptions options) {
        Supplier<? extends Protocol> protocolFactory = serverProtocols(appProtocolFactory, options);
        Networks.checkPort(port);
        checkClosed();
        return Networks.serverAddresses(this, host, port).thenCompose(resolved -> listenOn(resolved, protocolFactory, options));
    }

    private LoopFuture<Server> listenOn(List<InetSocketAddress> addresses, Supplier<? extends Protocol> protocolFactory,
            ServerOptions options) {
        LoopFuture<Server> started = createFuture();
        List<AsynchronousServerSocketChannel> listening = new ArrayList<>();
        try {
            for (InetSocketAddress address : addresses) {
                listening.add(Networks.listen(openServerSocketChannel(), address, options));
            }
        } catch (IOException | RuntimeException e) {
            listening.forEach(Networks::closeQuietly);
            started.setException(e);
            return started;
        }
        ProactorServer server = new ProactorServer(this, listening, protocolFactory);
        if (options.startServing()) {
            server.startServing();
        }
        started.setResult(server);
        return started;
    }

    /**
     * Not supported: JDK 17's asynchronous channels cannot open Unix-domain sockets, and asyncio's
     * (Windows) proactor has no {@code create_unix_connection} either.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> createUnixConnection(Supplier<P> protocolFactory, Path path) {
        throw noUnixSockets("createUnixConnection");
    }

    /** Not supported, see {@link #createUnixConnection}. @throws UnsupportedOperationException always */
    @Override
    public CompletionStage<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path) {
        throw noUnixSockets("createUnixServer");
    }

    private static UnsupportedOperationException noUnixSockets(String operation) {
        return new UnsupportedOperationException("ProactorEventLoop does not support " + operation
                + ": JDK 17's asynchronous channels cannot open Unix-domain sockets (and asyncio's proactor has no"
                + " Unix sockets either); use SelectorEventLoop for them");
    }

    // ---- UDP ----------------------------------------------------------------------------------------------

    @Override
    protected <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> makeDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr, DatagramOptions options) {
        return DatagramEndpoints.create(this, channelReadiness(), protocolFactory, localAddr, remoteAddr, options);
    }
}
