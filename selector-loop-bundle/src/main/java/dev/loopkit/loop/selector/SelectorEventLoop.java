package dev.loopkit.loop.selector;

import dev.loopkit.api.Connection;
import dev.loopkit.api.DatagramEndpoint;
import dev.loopkit.api.DatagramOptions;
import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.ChannelInterests;
import dev.loopkit.loop.core.ChannelHandles;
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.io.ReadinessEventLoop;
import dev.loopkit.loop.core.subprocess.SubprocessLauncher;
import dev.loopkit.loop.core.transports.AbstractServer;
import dev.loopkit.loop.core.transports.DatagramEndpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.channels.NetworkChannel;
import java.nio.file.Path;
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
 * is made once per {@code addReader}/{@code addWriter} and reused, so readiness allocates nothing
 * ({@link ChannelInterests}).
 * TCP and Unix-domain transports read into one direct buffer per loop.
 */
public class SelectorEventLoop extends ReadinessEventLoop {

    /** Under a storm of ready callbacks, readiness is picked up at least once every this many callbacks. */
    static final int IO_POLL_EVERY = 64;

    private final Selector selector;
    private final ChannelInterests channels;
    private long callbacksAtLastSelect; // loop thread only
    private long callbacksAtLastPoll; // loop thread only
    private long runsAtLastPoll; // loop thread only
    // One method reference for the life of the loop: selecting allocates nothing.
    private final Consumer<SelectionKey> onSelected;

    /** A loop on the platform's default selector (epoll on Linux). */
    public SelectorEventLoop() {
        this(SelectorProvider.provider());
    }

    public SelectorEventLoop(SelectorProvider provider) {
        try {
            selector = provider.openSelector();
        } catch (IOException e) {
            throw notMade(new UncheckedIOException("cannot open a selector: " + e.getMessage(), e));
        }
        closeIfDropped(selector);
        channels = new ChannelInterests(this, selector);
        onSelected = channels::process;
    }

    // ---- waiting ------------------------------------------------------------------------------------

    @Override
    protected void poll(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            // This poll cannot block: it only picks up readiness that came meanwhile. Under a storm of
            // callbacks (some ran since the last poll, in this run), doing that once every IO_POLL_EVERY
            // callbacks (as Netty does between task batches) saves an epoll_wait per iteration. Without
            // callbacks (a loop stopped before its run), and in the first iteration of a run (asyncio's
            // test_utils.run_once, call_soon(stop) then run_forever), it selects each time, as asyncio's
            // _run_once does: the skip left a readable channel unseen for good, or for 63 such runs
            // (ReadinessNetworkContract).
            long run = callbacksRun();
            long runs = runsBegun();
            boolean storm = run != callbacksAtLastPoll && runs == runsAtLastPoll;
            callbacksAtLastPoll = run;
            runsAtLastPoll = runs;
            if (storm && run - callbacksAtLastSelect < IO_POLL_EVERY) {
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

    @Override
    protected ChannelHandles channels() {
        return channels;
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

    // ---- readers and writers on channels ---------------------------------------------------------------

    // ---- transports and servers --------------------------------------------------------------------------

    @Override
    protected <P extends Protocol> CompletionStage<Connection<P>> openConnection(Supplier<P> protocolFactory, String host,
            int port, InetSocketAddress localAddr) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(host, "host");
        Networks.checkPort(port);
        checkClosed();
        return Networks.startOnceConnected(this, Networks.firstThatConnects(this, Networks.ensureResolved(this, host, port),
                localAddr, (address, locals) -> connectTo(address, StandardProtocolFamily.INET6, locals)),
                socket -> startTransport(socket, protocolFactory, true));
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> createUnixConnection(Supplier<P> protocolFactory, Path path) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        checkClosed();
        UnixDomainSocketAddress address;
        try {
            address = Networks.unixAddress(path);
        } catch (SocketException tooLong) {
            return Networks.failed(this, tooLong);
        }
        return Networks.startOnceConnected(this, connectTo(address, StandardProtocolFamily.UNIX, null),
                socket -> startTransport(socket, protocolFactory, false));
    }

    // locals: where to bind first (Networks.bindLocally), or null
    private LoopFuture<SocketChannel> connectTo(SocketAddress address, StandardProtocolFamily family, List<InetSocketAddress> locals) {
        SocketChannel socket = null;
        try {
            socket = family == StandardProtocolFamily.UNIX ? SocketChannel.open(family) : SocketChannel.open();
            socket.configureBlocking(false);
            Networks.bindLocally(socket, address, locals);
        } catch (IOException e) {
            if (socket != null) {
                Networks.closeQuietly(socket);
            }
            return Networks.failed(this, e);
        }
        return Networks.whenConnected(this, socket, sockConnect(socket, address));
    }

    @Override
    protected NetworkChannel listen(SocketAddress address, ServerOptions options) throws IOException {
        // The JDK's own choice (a dual-stack IPv6 socket where IPv6 works) for all interfaces; else the
        // address's family, as asyncio's socket per address: "0.0.0.0" serves IPv4 alone. An IPv6 socket
        // stays dual-stack: the JDK has no IPV6_V6ONLY.
        ServerSocketChannel channel = address instanceof UnixDomainSocketAddress ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                : address instanceof Networks.AllInterfaces ? ServerSocketChannel.open()
                : ServerSocketChannel.open(((InetSocketAddress) address).getAddress() instanceof Inet4Address
                        ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        return Networks.listen(channel, address, options);
    }

    @Override
    protected AbstractServer newServer(List<NetworkChannel> listening, Supplier<? extends Protocol> protocolFactory,
            int backlog, Path unixPath) {
        return new SelectorServer(this, listening.stream().map(ServerSocketChannel.class::cast).toList(), protocolFactory,
                backlog, unixPath);
    }

    // ---- UDP ----------------------------------------------------------------------------------------------

    @Override
    protected <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> makeDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr, DatagramOptions options) {
        return DatagramEndpoints.create(this, channelReadiness(), protocolFactory, localAddr, remoteAddr, options);
    }
}
