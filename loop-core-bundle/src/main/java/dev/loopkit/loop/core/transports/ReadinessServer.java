package dev.loopkit.loop.core.transports;

import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * asyncio's {@code Server} on a readiness-based loop: each listening socket's readiness accepts up
 * to {@code backlog} connections (asyncio's {@code _accept_connection}), each with a fresh protocol
 * and {@code TCP_NODELAY} on (TCP only). A Unix-domain server removes its socket file when it closes.
 * The loop supplies how readiness is watched, how a connection is accepted and how its transport starts.
 *
 * @param <S> the listening sockets
 * @param <C> the accepted connections
 */
public abstract class ReadinessServer<S extends NetworkChannel, C extends NetworkChannel> extends AbstractServer {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    /** asyncio's {@code constants.ACCEPT_RETRY_DELAY}: how long to stop accepting when out of descriptors. */
    private static final double ACCEPT_RETRY_DELAY = 1.0;

    private final Supplier<? extends Protocol> protocolFactory;
    private final int backlog;
    private final Path unixPath;
    private final Object unixFileKey;

    /** {@code unixPath}: the socket file of a Unix-domain server, else {@code null}. */
    protected ReadinessServer(BaseEventLoop loop, List<S> sockets, Supplier<? extends Protocol> protocolFactory,
            int backlog, Path unixPath) {
        super(loop, sockets);
        this.protocolFactory = protocolFactory;
        this.backlog = backlog;
        this.unixPath = unixPath;
        this.unixFileKey = unixPath == null ? null : fileKey(unixPath);
    }

    // The socket file's identity (device and inode) once bound: asyncio 3.13 unlinks it on close only if
    // it is still this server's, not the file of another server that took over the path since.
    private static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Calls {@code onAcceptable} on the loop thread whenever {@code socket} has connections waiting. */
    protected abstract void watchAcceptable(S socket, Runnable onAcceptable);

    protected abstract void unwatchAcceptable(S socket);

    /** The next waiting connection, non-blocking, or {@code null} when none is waiting. */
    protected abstract C accept(S socket) throws IOException;

    /** Makes and starts the transport of {@code accepted} for {@code protocol}. */
    protected abstract void startTransport(C accepted, Protocol protocol) throws IOException;

    @Override
    @SuppressWarnings("unchecked") // the sockets are the S this server was made with
    protected final void startAccepting(NetworkChannel socket) {
        S server = (S) socket;
        watchAcceptable(server, () -> acceptConnections(server));
    }

    @Override
    @SuppressWarnings("unchecked")
    protected final void stopAccepting(NetworkChannel socket) throws IOException {
        unwatchAcceptable((S) socket);
        socket.close();
        deleteUnixSocketFile();
    }

    @Override
    public void release() {
        super.release();
        deleteUnixSocketFile();
    }

    private void acceptConnections(S server) {
        for (int i = 0; i < backlog; i++) {
            C accepted;
            try {
                accepted = accept(server);
            } catch (IOException e) {
                if (server.isOpen()) {
                    outOfResources(server, e);
                }
                // else closed meanwhile (a protocol factory closed its server): asyncio's accept loop
                // returns; reported as out of resources, the retry also unwatched a number another
                // socket had by then (the epoll loop stopped serving it)
                return;
            }
            if (accepted == null) {
                return;
            }
            startTransport(accepted);
            if (!server.isOpen()) {
                return;
            }
        }
    }

    private void startTransport(C accepted) {
        try {
            if (unixPath == null) {
                accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            Protocol protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            startTransport(accepted, protocol);
        } catch (IOException | RuntimeException | Error e) {
            if (Scheduler.isFatal(e)) {
                // Out of memory in the protocol factory ends the run in its caller; the connection nobody will
                // serve is closed now: no transport took it, so the loop's close would not (an outside review).
                Networks.closeQuietly(accepted);
                throw (Error) e;
            }
            transportCreationFailed(accepted, e);
        }
    }

    // asyncio: EMFILE and friends are logged and accepting pauses a second, instead of spinning.
    private void outOfResources(S server, IOException e) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("message", "socket.accept() out of system resource");
        context.put("exception", e);
        context.put("socket", new ChannelTransportSocket(server)); // asyncio: trsock.TransportSocket(sock)
        loop.callExceptionHandler(context);
        unwatchAcceptable(server);
        loop.callLater(ACCEPT_RETRY_DELAY, () -> {
            if (isServing() && server.isOpen()) {
                startAccepting(server);
            }
        });
    }

    private void deleteUnixSocketFile() {
        if (unixPath != null && unixFileKey != null && unixFileKey.equals(fileKey(unixPath))) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "removing " + unixPath, e);
            }
        }
    }
}
