package dev.loopkit.loop.epoll;

import dev.loopkit.api.Connection;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.api.DatagramEndpoint;
import dev.loopkit.api.DatagramOptions;
import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.Handle;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.ChannelHandles;
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.RawFdSet;
import dev.loopkit.loop.core.io.ReadinessEventLoop;
import dev.loopkit.loop.core.WriteChunks;
import dev.loopkit.loop.core.ZeroCopySocket;
import dev.loopkit.loop.core.ZeroCopySocket.FileSending;
import dev.loopkit.loop.core.scheduling.CallbackHandle;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.loop.core.subprocess.SubprocessLauncher;
import dev.loopkit.loop.core.transports.AbstractServer;
import dev.loopkit.posix.IoVector;
import dev.loopkit.loop.core.transports.DatagramEndpoints;
import dev.loopkit.posix.EnvironmentSwitch;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.Sockets;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.NetworkChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A native Linux loop: its thread waits in one {@code epoll_wait} on the loop's own epoll set
 * ({@link RawFdSet}) for everything it owns: raw descriptors from {@link #addReader(int, Runnable)}
 * and {@link #addWriter(int, Runnable)}, so child pipes and the pidfd watcher's pidfds too, an
 * eventfd that {@link #wakeup()} writes, and the next timer as the wait's timeout. Readiness goes
 * straight into the ready queue, as the selector loop's keys do: no helper thread, no hand-over
 * (the selector loop needs a poller thread for raw descriptors, since a java.nio {@code Selector}
 * cannot watch one).
 *
 * <p>TCP (IPv4, IPv6) and Unix-domain transports and servers are on native sockets in the same set
 * ({@link NativeSocket}, sharing the selector loop's transport and server through
 * {@code ReadinessSocketTransport} and {@code ReadinessServer}), and so are UDP endpoints
 * ({@link NativeDatagramSocketIo}, under the other loops' datagram transport). java.nio channels the user hands
 * in ({@code addReader(SelectableChannel)}, {@code sock*} on JDK sockets) cannot be in an epoll set
 * of ours: a helper thread selects on them ({@link ChannelWatcher}), from the first one on.
 */
public class EpollEventLoop extends ReadinessEventLoop {

    /** The environment variable that turns this loop off: {@code LOOPKIT_EPOLL=off}. */
    public static final String SWITCH = "LOOPKIT_EPOLL";
    /** Under a storm of ready callbacks, readiness is picked up at least once every this many callbacks. */
    static final int IO_POLL_EVERY = 64;
    private static final InetAddress IPV6_WILDCARD = ipv6Wildcard();

    private final RawFdSet fds;
    private final InterruptibleWait interruptible;
    private final ChannelWatcher channels;
    /** Made on the first gathering write; loop thread. */
    private IoVector ioVector;
    private long callbacksAtLastWait; // loop thread only
    private long callbacksAtLastPoll; // loop thread only
    private long runsAtLastPoll; // loop thread only

    /**
     * A loop with its own epoll set and wake-up eventfd.
     *
     * @throws UnsupportedOperationException with the reason, where the loop cannot work (switched off, no
     *         native access; {@link #unavailableReason()} probes epoll and eventfd besides, for the bundle)
     * @throws IllegalStateException with the system's error when the epoll set or the eventfd cannot be
     *         made now ("Too many open files"): not probed here, where it said "cannot work here"
     */
    public EpollEventLoop() {
        String reason = unusableReason();
        if (reason != null) {
            throw notMade(new UnsupportedOperationException("the epoll loop cannot work here: " + reason));
        }
        try {
            fds = new RawFdSet(this, false);
        } catch (IllegalStateException cannot) {
            throw notMade(cannot);
        }
        closeIfDropped(fds.waiting());
        interruptible = new InterruptibleWait(fds::wake);
        channels = new ChannelWatcher(this, scheduler(), this::closeIfDropped);
    }

    /**
     * Why this loop cannot work here, or {@code null} when it can: native access (JNR) must work, and
     * epoll and eventfd with it (probed by opening and closing both), unless {@value #SWITCH}{@code =off}
     * is in the environment.
     */
    public static String unavailableReason() {
        String reason = unusableReason();
        if (reason != null) {
            return reason;
        }
        Posix posix = Posix.get();
        try {
            posix.epoll(1).close();
            posix.close(posix.eventfd());
            return null;
        } catch (PosixException e) {
            return "epoll or eventfd does not work here: " + e.getMessage();
        }
    }

    // What does not change while the JVM runs: the switch and native access.
    private static String unusableReason() {
        String off = EnvironmentSwitch.switchedOff(SWITCH);
        if (off != null) {
            return off;
        }
        return Posix.isAvailable() ? null : Posix.unavailableReason();
    }

    private static InetAddress ipv6Wildcard() {
        try {
            return InetAddress.getByAddress(new byte[16]);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException("16 bytes are an IPv6 address", impossible);
        }
    }

    // ---- waiting ------------------------------------------------------------------------------------

    @Override
    protected void poll(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            // This poll cannot block: it only picks up readiness that came meanwhile. Under a storm of
            // callbacks (some ran since the last poll, in this run) once every IO_POLL_EVERY of them, as
            // the selector loop does; without callbacks (a loop stopped before its run) and in the first
            // iteration of a run (asyncio's test_utils.run_once) each time, as asyncio's _run_once (the
            // skip left a readable descriptor unseen for good, or for 63 such runs); and not at all while
            // no descriptor is watched (a pending wake-up then makes the next wait return).
            long run = callbacksRun();
            long runs = runsBegun();
            boolean storm = run != callbacksAtLastPoll && runs == runsAtLastPoll;
            callbacksAtLastPoll = run;
            runsAtLastPoll = runs;
            if ((storm && run - callbacksAtLastWait < IO_POLL_EVERY) || fds.size() == 0) {
                return;
            }
        }
        callbacksAtLastWait = callbacksRun();
        boolean mayBlock = timeoutNanos != 0;
        if (mayBlock) {
            interruptible.enter();
        }
        try {
            fds.await(timeoutMillis(timeoutNanos), fds::deliver);
        } catch (PosixException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            if (mayBlock) {
                interruptible.exit();
            }
        }
    }

    /**
     * {@code epoll_wait}'s milliseconds for a wait of {@code timeoutNanos}: rounded up, since waking
     * early would only spin until the timer is due (a timer never fires early: the scheduler runs only
     * what is due), and capped at {@code int}; {@code -1} stays "no limit".
     */
    static int timeoutMillis(long timeoutNanos) {
        if (timeoutNanos < 0) {
            return -1;
        }
        long millis = timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1);
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    /** The loop's own sockets by their descriptor number, which is all a user can name them by. */
    @Override
    protected Object socketKey(Object socket) {
        return socket instanceof NativeSocket own ? Integer.valueOf(own.fd()) : socket;
    }

    @Override
    protected void wakeup() {
        fds.wake();
    }

    @Override
    protected void closeResources() throws IOException {
        channels.close();
        interruptible.close();
        fds.close();
        if (ioVector != null) {
            ioVector.close();
        }
    }

    @Override
    protected CompletionStage<SubprocessTransport> makeSubprocessTransport(
            Supplier<? extends SubprocessProtocol> protocolFactory, List<String> args, SubprocessOptions options) {
        return SubprocessLauncher.launch(this, protocolFactory, args, options);
    }

    // ---- raw file descriptors: in the loop's own epoll set --------------------------------------------

    /** Its set is open from the loop's start. */
    @Override
    public void openDescriptorSet() {
    }

    @Override
    public void watchReadable(int fd, Runnable callback) {
        checkCanWatch(callback);
        fds.addReader(fd, newHandle(callback));
    }

    @Override
    public boolean unwatchReadable(int fd) {
        return !isClosed() && fds.removeReader(fd);
    }

    @Override
    public void watchWritable(int fd, Runnable callback) {
        writerHandle(fd, callback);
    }

    /** {@link #watchWritable(int, Runnable)}, returning the writer's handle: cancelled once another writer replaces it or it is removed. */
    private Handle writerHandle(int fd, Runnable callback) {
        checkCanWatch(callback);
        CallbackHandle handle = newHandle(callback);
        fds.addWriter(fd, handle);
        return handle;
    }

    @Override
    public boolean unwatchWritable(int fd) {
        return !isClosed() && fds.removeWriter(fd);
    }

    private void checkCanWatch(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        checkThread();
    }

    @Override
    protected int countWatchedFileDescriptors() {
        return isClosed() ? 0 : fds.size();
    }

    // ---- java.nio channels handed in by the user: the helper selector -----------------------------------

    @Override
    protected void channelClosed(SelectableChannel channel) {
        channels.channelClosed();
    }

    @Override
    protected ChannelHandles channels() {
        return channels;
    }

    // ---- transports and servers: native sockets in the loop's own epoll set ------------------------------

    /** The loop's {@code writev} array, for its sockets' gathering writes; loop thread. */
    IoVector ioVector() throws PosixException {
        if (ioVector == null) {
            ioVector = Posix.get().ioVector(WriteChunks.GATHER_AT_MOST);
            closeIfDropped(ioVector); // calloc'd: nothing else frees it once the loop is garbage
        }
        return ioVector;
    }

    @Override
    protected <P extends Protocol> CompletionStage<Connection<P>> openConnection(Supplier<P> protocolFactory, String host,
            int port, InetSocketAddress localAddr) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(host, "host");
        Networks.checkPort(port);
        checkClosed();
        return Networks.startOnceConnected(this, Networks.firstThatConnects(this, Networks.ensureResolved(this, host, port),
                localAddr, this::connectTo), socket -> startTransport(socket, protocolFactory, true));
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
        return Networks.startOnceConnected(this, connectTo(address, null), socket -> startTransport(socket, protocolFactory, false));
    }

    // asyncio's sock_connect on a socket of the loop's own: at once, or when writable (SO_ERROR says how it
    // went); bound first to one of locals unless that is null (Networks.bindLocally).
    private LoopFuture<NativeSocket> connectTo(SocketAddress address, List<InetSocketAddress> locals) {
        LoopFuture<Void> connecting = createFuture();
        NativeSocket socket;
        try {
            socket = NativeSocket.open(this, Sockets.familyOf(address));
        } catch (IOException e) {
            return Networks.failed(this, e);
        }
        try {
            Networks.bindLocally(socket, address, locals);
        } catch (IOException e) {
            Networks.closeQuietly(socket);
            return Networks.failed(this, e);
        }
        try {
            if (socket.connect(address)) {
                connecting.setResult(null);
            } else {
                addWriter(socket.fd(), () -> {
                    removeWriter(socket.fd());
                    if (connecting.isDone()) {
                        return; // given up meanwhile: its socket is being closed
                    }
                    try {
                        socket.finishConnect();
                        connecting.setResult(null);
                    } catch (IOException e) {
                        connecting.setException(Networks.connectFailed(address, e));
                    }
                });
            }
        } catch (IOException e) {
            connecting.setException(Networks.connectFailed(address, e));
        } catch (RuntimeException refused) { // an address the socket cannot take ("AF_UNIX path too long")
            connecting.setException(refused);
        }
        // given up, the writer goes before the socket closes: its number may be another descriptor's next
        return Networks.whenConnected(this, socket, connecting, () -> removeWriter(socket.fd()));
    }

    private <P extends Protocol> CompletionStage<Connection<P>> startTransport(NativeSocket socket, Supplier<P> protocolFactory, boolean tcp) {
        LoopFuture<Connection<P>> made = createFuture();
        try {
            if (tcp) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true); // as asyncio and the other loops
            }
            P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            EpollSocketTransport transport = new EpollSocketTransport(this, socket, protocol, null);
            transport.start(() -> made.setResult(new Connection<>(transport, protocol)));
        } catch (IOException | RuntimeException | Error e) { // an Error of the user's factory (an assert) too
            Networks.closeQuietly(socket);
            made.setException(e);
            Scheduler.rethrowIfFatal(e);
        }
        return made;
    }

    // asyncio's create_server for one address: SO_REUSEADDR (by default) and the bind; the server listens
    // when it starts serving (EpollServer), as asyncio's _start_serving does.
    @Override
    protected NativeSocket listen(SocketAddress requested, ServerOptions options) throws IOException {
        SocketAddress address = requested;
        NativeSocket socket;
        if (requested instanceof Networks.AllInterfaces all) {
            // As the JDK binds its own sockets (and so the selector loop): one dual-stack socket on
            // "::" serves every interface of both families; IPv4 alone where there is no IPv6.
            try {
                socket = NativeSocket.open(this, StandardProtocolFamily.INET6);
                address = new InetSocketAddress(IPV6_WILDCARD, all.getPort());
            } catch (PosixException noIpv6) {
                socket = NativeSocket.open(this, StandardProtocolFamily.INET);
            }
        } else {
            socket = NativeSocket.open(this, Sockets.familyOf(address));
            if (Sockets.familyOf(address) == StandardProtocolFamily.INET6) {
                socket.ipv6Only(); // asyncio's socket per address: "::" leaves IPv4 to others
            }
        }
        try {
            Networks.listen(socket, address, options); // SO_REUSEADDR and the bind, as the other loops; closes on failure
        } catch (BindException taken) {
            if (requested instanceof Networks.AllInterfaces all && address != requested
                    && taken.getCause() instanceof BindException refused && ipv4PortTaken(all.getPort(), options)) {
                // asyncio's first socket is "0.0.0.0"'s, and its message names it when IPv4 is what is taken
                throw Networks.bindFailed(requested, refused);
            }
            throw taken;
        }
        return socket;
    }


    /**
     * Whether an IPv4 socket cannot take {@code port} on every interface: which family a dual-stack bind
     * found taken, for its message ("::" named when only IPv6 is taken, as asyncio's second socket does).
     */
    private boolean ipv4PortTaken(int port, ServerOptions options) throws IOException {
        NativeSocket probe = NativeSocket.open(this, StandardProtocolFamily.INET);
        try {
            Networks.listen(probe, new InetSocketAddress(port), options);
            return false;
        } catch (BindException taken) {
            return true;
        } finally {
            Networks.closeQuietly(probe);
        }
    }

    @Override
    protected AbstractServer newServer(List<NetworkChannel> listening, Supplier<? extends Protocol> protocolFactory,
            int backlog, Path unixPath) {
        return new EpollServer(this, listening.stream().map(NativeSocket.class::cast).toList(), protocolFactory, backlog,
                unixPath);
    }

    /** {@code sockSendfile} sends to a socket of the loop's own with {@code sendfile(2)}, waiting for room in its epoll set. */
    @Override
    protected ZeroCopySocket zeroCopySocket(NetworkChannel channel) {
        if (!(channel instanceof NativeSocket socket)) {
            return super.zeroCopySocket(channel);
        }
        return new ZeroCopySocket() {
            /** The sendfile's writer; cancelled once replaced (the caller's own writer on the socket) or removed. */
            private Handle waiting;

            @Override
            public FileSending sendFrom(FileChannel file) throws IOException {
                return socket.sendFrom(file);
            }

            @Override
            public void whenWritable(Runnable onWritable) {
                waiting = writerHandle(socket.fd(), onWritable);
            }

            // Not once the socket is closed: its number may be another descriptor's by then.
            @Override
            public void stopWaiting() {
                if (waiting != null && !waiting.isCancelled() && socket.isOpen()) {
                    removeWriter(socket.fd());
                }
                waiting = null;
            }
        };
    }

    // ---- UDP ----------------------------------------------------------------------------------------------

    @Override
    protected <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> makeDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr, DatagramOptions options) {
        // UDP sockets of the loop's own in its epoll set (the transport the other loops run on JDK channels)
        return DatagramEndpoints.create(this, family -> NativeDatagramSocketIo.open(this, family), protocolFactory,
                localAddr, remoteAddr, options);
    }
}
