package dev.loopkit.loop.selector;

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
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.ReaderWriter;
import dev.loopkit.loop.core.subprocess.SubprocessLauncher;
import dev.loopkit.loop.core.transports.DatagramEndpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * asyncio's {@code SelectorEventLoop}: waits in a java.nio {@link Selector}, which
 * {@link #callSoonThreadsafe(Runnable)} wakes through {@link Selector#wakeup()}. Channels are
 * watched by the selector itself; each readiness schedules the reader's or writer's handle, which
 * is made once per {@code addReader}/{@code addWriter} and reused, so readiness allocates nothing.
 * TCP and Unix-domain transports read into one direct buffer per loop.
 */
public class SelectorEventLoop extends BaseEventLoop {

    /** Under a storm of ready callbacks, readiness is picked up at least once every this many callbacks. */
    static final int IO_POLL_EVERY = 64;

    private final Selector selector;
    private long callbacksAtLastSelect; // loop thread only
    // One method reference for the life of the loop: selecting allocates nothing.
    private final Consumer<SelectionKey> onSelected = this::processKey;

    /** A loop on the platform's default selector (epoll on Linux). */
    public SelectorEventLoop() {
        this(SelectorProvider.provider());
    }

    public SelectorEventLoop(SelectorProvider provider) {
        try {
            selector = provider.openSelector();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
    }

    // ---- waiting ------------------------------------------------------------------------------------

    @Override
    protected void poll(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            // Callbacks are ready, so this poll cannot block: it only picks up readiness that came
            // meanwhile. Under a storm of callbacks, doing that once every IO_POLL_EVERY callbacks (as
            // Netty does between task batches) saves an epoll_wait per iteration.
            long run = callbacksRun();
            if (run - callbacksAtLastSelect < IO_POLL_EVERY) {
                return;
            }
            callbacksAtLastSelect = run;
            if (selector.keys().isEmpty()) {
                // No channel registered (or none left): there is no readiness to pick up, and the
                // epoll_wait costs ~390 ns here. A wakeup() that comes meanwhile stays pending and
                // only makes the next blocking select return at once.
                return;
            }
            selector.selectNow(onSelected);
        } else if (timeoutNanos < 0) {
            callbacksAtLastSelect = callbacksRun();
            selector.select(onSelected);
        } else {
            // Round up: waking a little late is fine, early would spin until the timer is due. (Not
            // by adding 999_999 first: that overflows for the longest waits.)
            long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                    + (timeoutNanos % 1_000_000 == 0 ? 0 : 1));
            callbacksAtLastSelect = callbacksRun();
            selector.select(onSelected, millis);
        }
    }

    @Override
    protected void wakeup() {
        selector.wakeup();
    }

    // Keys stay registered with no interest after the last remove* (see register): those do not count.
    @Override
    protected int watchedChannels() {
        int watched = 0;
        for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.interestOps() != 0) {
                watched++;
            }
        }
        return watched;
    }

    @Override
    protected void closeResources() throws IOException {
        selector.close();
    }

    @Override
    protected CompletionStage<SubprocessTransport> makeSubprocessTransport(
            Supplier<? extends SubprocessProtocol> protocolFactory, List<String> args, SubprocessOptions options) {
        return SubprocessLauncher.launch(this, protocolFactory, args, options);
    }

    private void processKey(SelectionKey key) {
        Interest interest = (Interest) key.attachment();
        int ready = key.readyOps();
        if ((ready & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 && interest.reader != null) {
            scheduleReady(interest.reader);
        }
        if ((ready & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0 && interest.writer != null) {
            scheduleReady(interest.writer);
        }
    }

    /** The handles waiting for one channel's readiness: the key's attachment. */
    private static final class Interest extends ReaderWriter {
    }

    // ---- readers and writers on channels ---------------------------------------------------------------

    @Override
    public void addReader(SelectableChannel channel, Runnable callback) {
        register(channel, callback, readOp(channel)).set(true, newHandle(callback));
    }

    @Override
    public boolean removeReader(SelectableChannel channel) {
        return unregister(channel, readOp(channel), true);
    }

    @Override
    public void addWriter(SelectableChannel channel, Runnable callback) {
        register(channel, callback, writeOp(channel)).set(false, newHandle(callback));
    }

    @Override
    public boolean removeWriter(SelectableChannel channel) {
        return unregister(channel, SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT, false);
    }

    // Keys are never cancelled here, only their interest cleared: a cancelled key stays in the
    // selector until the next select and would make the channel impossible to register again.
    private Interest register(SelectableChannel channel, Runnable callback, int op) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        checkThread();
        if (!channel.isOpen()) {
            throw new IllegalArgumentException("Invalid file descriptor: " + channel + " is closed");
        }
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("the channel must be non-blocking: " + channel);
        }
        SelectionKey key = channel.keyFor(selector);
        try {
            if (key == null) {
                return (Interest) channel.register(selector, op, new Interest()).attachment();
            }
            key.interestOps(key.interestOps() | op);
            return (Interest) key.attachment();
        } catch (ClosedChannelException | CancelledKeyException e) {
            throw new IllegalArgumentException("Invalid file descriptor: " + channel + " is closed", e);
        }
    }

    private boolean unregister(SelectableChannel channel, int ops, boolean reader) {
        Objects.requireNonNull(channel, "channel");
        if (isClosed()) {
            return false;
        }
        SelectionKey key = channel.keyFor(selector);
        if (key == null || !key.isValid()) {
            return false;
        }
        if (!((Interest) key.attachment()).remove(reader)) {
            return false;
        }
        key.interestOps(key.interestOps() & ~ops);
        return true;
    }

    private static int readOp(SelectableChannel channel) {
        return (channel.validOps() & SelectionKey.OP_READ) != 0 ? SelectionKey.OP_READ : SelectionKey.OP_ACCEPT;
    }

    private static int writeOp(SelectableChannel channel) {
        if (channel instanceof SocketChannel socket && socket.isConnectionPending()) {
            return SelectionKey.OP_CONNECT;
        }
        return SelectionKey.OP_WRITE;
    }

    /** The loop's read buffer, for this package's transports. */
    ByteBuffer sharedReadBuffer() {
        return readBuffer();
    }

    // ---- low-level socket operations ---------------------------------------------------------------------

    @Override
    public LoopFuture<Integer> sockRecv(NetworkChannel channel, ByteBuffer buffer) {
        SocketChannel socket = nonBlocking(channel, SocketChannel.class);
        Objects.requireNonNull(buffer, "buffer");
        LoopFuture<Integer> result = createFuture();
        SocketOperation.recv(this, socket, buffer, result);
        return result;
    }

    @Override
    public LoopFuture<Void> sockSendall(NetworkChannel channel, ByteBuffer data) {
        SocketChannel socket = nonBlocking(channel, SocketChannel.class);
        Objects.requireNonNull(data, "data");
        LoopFuture<Void> result = createFuture();
        SocketOperation.sendall(this, socket, data, result);
        return result;
    }

    @Override
    public LoopFuture<NetworkChannel> sockAccept(NetworkChannel serverChannel) {
        ServerSocketChannel server = nonBlocking(serverChannel, ServerSocketChannel.class);
        LoopFuture<NetworkChannel> result = createFuture();
        SocketOperation.accept(this, server, result);
        return result;
    }

    @Override
    public LoopFuture<Void> sockConnect(NetworkChannel channel, SocketAddress address) {
        SocketChannel socket = nonBlocking(channel, SocketChannel.class);
        Objects.requireNonNull(address, "address");
        LoopFuture<Void> result = createFuture();
        SocketOperation.connect(this, socket, address, result);
        return result;
    }

    private <C extends SelectableChannel> C nonBlocking(NetworkChannel channel, Class<C> type) {
        Objects.requireNonNull(channel, "channel");
        checkClosed();
        if (!type.isInstance(channel)) {
            throw new IllegalArgumentException("SelectorEventLoop needs a " + type.getName() + ", not " + channel.getClass().getName());
        }
        C selectable = type.cast(channel);
        if (selectable.isBlocking()) {
            throw new IllegalArgumentException("the socket must be non-blocking");
        }
        return selectable;
    }

    // ---- transports and servers --------------------------------------------------------------------------

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> createConnection(Supplier<P> protocolFactory, String host, int port) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(host, "host");
        Networks.checkPort(port);
        checkClosed();
        return getaddrinfo(host, port).thenCompose(addresses ->
                Networks.firstThatConnects(this, addresses, address -> connectTo(address, StandardProtocolFamily.INET6)))
                .thenCompose(socket -> startTransport(socket, protocolFactory, true));
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> createUnixConnection(Supplier<P> protocolFactory, Path path) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        checkClosed();
        return connectTo(UnixDomainSocketAddress.of(path), StandardProtocolFamily.UNIX)
                .thenCompose(socket -> startTransport(socket, protocolFactory, false));
    }

    private LoopFuture<SocketChannel> connectTo(SocketAddress address, StandardProtocolFamily family) {
        SocketChannel socket;
        try {
            socket = family == StandardProtocolFamily.UNIX ? SocketChannel.open(family) : SocketChannel.open();
            socket.configureBlocking(false);
        } catch (IOException e) {
            LoopFuture<SocketChannel> failed = createFuture();
            failed.setException(e);
            return failed;
        }
        return Networks.whenConnected(this, socket, sockConnect(socket, address));
    }

    private <P extends Protocol> CompletionStage<Connection<P>> startTransport(SocketChannel socket, Supplier<P> protocolFactory, boolean tcp) {
        LoopFuture<Connection<P>> made = createFuture();
        try {
            if (tcp) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            SelectorSocketTransport transport = new SelectorSocketTransport(this, socket, protocol, null);
            transport.start(() -> made.setResult(new Connection<>(transport, protocol)));
        } catch (IOException | RuntimeException e) {
            Networks.closeQuietly(socket);
            made.setException(e);
        }
        return made;
    }

    @Override
    public CompletionStage<Server> createServer(Supplier<? extends Protocol> protocolFactory, String host, int port, ServerOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        Networks.checkPort(port);
        checkClosed();
        LoopFuture<List<InetSocketAddress>> addresses = host == null || host.isEmpty()
                ? completed(List.of(new InetSocketAddress(port)))
                : getaddrinfo(host, port);
        return addresses.thenCompose(resolved -> {
            List<ServerSocketChannel> listening = new ArrayList<>();
            try {
                for (InetSocketAddress address : resolved) {
                    listening.add(Networks.listen(ServerSocketChannel.open(), address, options));
                }
            } catch (IOException e) {
                listening.forEach(Networks::closeQuietly);
                return failed(e);
            }
            return completed(startServer(listening, protocolFactory, options, null));
        });
    }

    @Override
    public CompletionStage<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        checkClosed();
        try {
            Networks.removeStaleUnixSocket(path);
            ServerSocketChannel channel = Networks.listen(ServerSocketChannel.open(StandardProtocolFamily.UNIX),
                    UnixDomainSocketAddress.of(path), ServerOptions.defaults());
            return completed(startServer(List.of(channel), protocolFactory, ServerOptions.defaults(), path));
        } catch (IOException e) {
            return failed(e);
        }
    }

    private Server startServer(List<ServerSocketChannel> listening, Supplier<? extends Protocol> protocolFactory,
            ServerOptions options, Path unixPath) {
        SelectorServer server = new SelectorServer(this, listening, protocolFactory, options.backlog(), unixPath);
        if (options.startServing()) {
            server.startServing();
        }
        return server;
    }

    private <T> LoopFuture<T> failed(Throwable error) {
        LoopFuture<T> future = createFuture();
        future.setException(error);
        return future;
    }

    private <T> LoopFuture<T> completed(T value) {
        LoopFuture<T> future = createFuture();
        future.setResult(value);
        return future;
    }

    // ---- UDP ----------------------------------------------------------------------------------------------

    @Override
    protected <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> makeDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr, DatagramOptions options) {
        return DatagramEndpoints.create(this, channelReadiness(), protocolFactory, localAddr, remoteAddr, options);
    }
}
