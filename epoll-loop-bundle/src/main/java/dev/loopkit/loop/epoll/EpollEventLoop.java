package dev.loopkit.loop.epoll;

import dev.loopkit.api.DatagramEndpoint;
import dev.loopkit.api.DatagramOptions;
import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.RawFdSet;
import dev.loopkit.loop.core.subprocess.SubprocessLauncher;
import dev.loopkit.loop.core.transports.DatagramEndpoints;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.io.IOException;
import java.net.SocketAddress;
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
 * <p>This slice watches raw descriptors only: java.nio channels ({@code addReader(SelectableChannel)},
 * {@code sock*}, TCP and Unix transports and servers) throw {@link UnsupportedOperationException};
 * use the selector loop for those.
 */
public class EpollEventLoop extends BaseEventLoop {

    /** The environment variable that turns this loop off: {@code LOOPKIT_EPOLL=off}. */
    public static final String SWITCH = "LOOPKIT_EPOLL";
    /** Under a storm of ready callbacks, readiness is picked up at least once every this many callbacks. */
    static final int IO_POLL_EVERY = 64;
    private static final String CHANNELS_UNSUPPORTED =
            " is not yet on the epoll loop: it watches raw file descriptors, not java.nio channels, sockets or servers; use the selector loop";

    private final RawFdSet fds;
    private final InterruptibleWait interruptible;
    private long callbacksAtLastPoll; // loop thread only

    /**
     * A loop with its own epoll set and wake-up eventfd.
     *
     * @throws UnsupportedOperationException with the reason, where the loop cannot work ({@link #unavailableReason()})
     */
    public EpollEventLoop() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new UnsupportedOperationException("the epoll loop cannot work here: " + reason);
        }
        fds = new RawFdSet(this, false);
        interruptible = new InterruptibleWait(fds::wake);
    }

    /**
     * Why this loop cannot work here, or {@code null} when it can: native access (JNR) must work, and
     * epoll and eventfd with it (probed by opening and closing both), unless {@value #SWITCH}{@code =off}
     * is in the environment.
     */
    public static String unavailableReason() {
        if ("off".equals(System.getenv(SWITCH))) {
            return SWITCH + "=off in the environment";
        }
        if (!Posix.isAvailable()) {
            return Posix.unavailableReason();
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

    // ---- waiting ------------------------------------------------------------------------------------

    @Override
    protected void poll(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            // Callbacks are ready, so this poll only picks up readiness that came meanwhile: under a
            // storm of callbacks once every IO_POLL_EVERY of them (as the selector loop does), and not
            // at all while no descriptor is watched (a pending wake-up then makes the next wait return).
            long run = callbacksRun();
            if (run - callbacksAtLastPoll < IO_POLL_EVERY || fds.size() == 0) {
                return;
            }
        }
        callbacksAtLastPoll = callbacksRun();
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

    @Override
    protected void wakeup() {
        fds.wake();
    }

    @Override
    protected void closeResources() throws IOException {
        interruptible.close();
        fds.close();
    }

    @Override
    protected CompletionStage<SubprocessTransport> makeSubprocessTransport(
            Supplier<? extends SubprocessProtocol> protocolFactory, List<String> args, SubprocessOptions options) {
        return SubprocessLauncher.launch(this, protocolFactory, args, options);
    }

    // ---- raw file descriptors: in the loop's own epoll set --------------------------------------------

    @Override
    public void addReader(int fd, Runnable callback) {
        checkCanWatch(callback);
        fds.addReader(fd, newHandle(callback));
    }

    @Override
    public boolean removeReader(int fd) {
        return !isClosed() && fds.removeReader(fd);
    }

    @Override
    public void addWriter(int fd, Runnable callback) {
        checkCanWatch(callback);
        fds.addWriter(fd, newHandle(callback));
    }

    @Override
    public boolean removeWriter(int fd) {
        return !isClosed() && fds.removeWriter(fd);
    }

    private void checkCanWatch(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        checkThread();
    }

    @Override
    public int watchedFileDescriptors() {
        assert inLoopThreadOrIdle() : "watchedFileDescriptors off the loop thread while it runs";
        return isClosed() ? 0 : fds.size();
    }

    // ---- java.nio channels: a later slice ---------------------------------------------------------------

    /** Channels, transports, servers and {@code sock*} (the base class refuses them): which loop has them. */
    @Override
    protected UnsupportedOperationException unsupported(String operation) {
        return new UnsupportedOperationException(operation + CHANNELS_UNSUPPORTED);
    }

    // ---- UDP ----------------------------------------------------------------------------------------------

    @Override
    protected <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> makeDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr, DatagramOptions options) {
        return DatagramEndpoints.create(this, channelReadiness(), protocolFactory, localAddr, remoteAddr, options);
    }
}
