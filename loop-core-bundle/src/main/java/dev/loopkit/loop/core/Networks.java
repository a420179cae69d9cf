package dev.loopkit.loop.core;

import dev.loopkit.api.Connection;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.ServerOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Address resolution, connecting and listening as asyncio's {@code base_events} does them, for any loop. */
public final class Networks {

    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private Networks() {
    }

    /** asyncio {@code getaddrinfo}: every address of {@code host}; blocking, so loops call it in their executor. */
    public static List<InetSocketAddress> resolve(String host, int port) throws IOException {
        checkPort(port);
        if (host != null && host.isEmpty()) {
            // getaddrinfo("") fails (asyncio's gaierror(-2, ...)); the JDK takes "" for the loopback address,
            // and a client whose configured host was empty talked to a local service (the network review)
            throw new UnknownHostException("Name or service not known");
        }
        InetAddress[] found;
        try {
            found = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw LookupFailures.withItsReason(host, e);
        }
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (InetAddress address : found) {
            addresses.add(new InetSocketAddress(address, port));
        }
        return addresses;
    }

    /**
     * The JDK caches a failed lookup for a while (networkaddress.cache.negative.ttl), and its cached
     * failure names the host alone: a retry lost the reason asyncio's gaierror gives each time (the network
     * review). The last reason of a few hosts is kept, to say it again.
     */
    private static final class LookupFailures {
        private static final int KEPT = 64;
        private static final Map<String, String> REASONS = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > KEPT;
            }
        };

        static UnknownHostException withItsReason(String host, UnknownHostException e) {
            String message = e.getMessage();
            synchronized (REASONS) {
                if (message != null && message.startsWith(host + ": ")) {
                    REASONS.put(host, message);
                    return e;
                }
                String said = REASONS.get(host);
                if (said == null || !host.equals(message)) {
                    return e;
                }
                UnknownHostException again = new UnknownHostException(said);
                again.initCause(e);
                return again;
            }
        }
    }

    public static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, not " + port);
        }
    }

    /**
     * Where asyncio's {@code create_server} listens: every address of {@code host}, or, without a
     * host, {@link AllInterfaces}.
     */
    public static LoopFuture<List<InetSocketAddress>> serverAddresses(BaseEventLoop loop, String host, int port) {
        if (host != null && !host.isEmpty()) {
            return ensureResolved(loop, host, port);
        }
        return completed(loop, List.of(new AllInterfaces(port)));
    }

    /**
     * The address of a server asked for no host: every interface of both families, one dual-stack
     * socket where IPv6 works (asyncio makes one socket per family). Told apart from a host of
     * "0.0.0.0", which asyncio serves on an IPv4 socket alone: a server asked for it accepted IPv6
     * clients (an outside review).
     */
    public static final class AllInterfaces extends InetSocketAddress {

        private static final long serialVersionUID = 1L;

        AllInterfaces(int port) {
            super(port);
        }
    }

    /**
     * asyncio's {@code _ensure_resolved}: an IP address literal is taken as it is
     * ({@code _ipaddr_info}), anything else is looked up with the loop's {@code getaddrinfo}, in its
     * executor. So connecting to "127.0.0.1" costs no executor thread.
     */
    public static LoopFuture<List<InetSocketAddress>> ensureResolved(BaseEventLoop loop, String host, int port) {
        if (IPV4_LITERAL.matcher(host).matches() || host.indexOf(':') >= 0) { // a host name has no ':'
            try {
                // a literal is parsed, never looked up
                return completed(loop, List.of(new InetSocketAddress(InetAddress.getByName(host), port)));
            } catch (UnknownHostException notALiteral) {
                // "1.2.3.999" or a bad IPv6 form: getaddrinfo reports it
            }
        }
        return loop.getaddrinfo(host, port);
    }

    /** A future of {@code loop} done with {@code value}. */
    public static <T> LoopFuture<T> completed(BaseEventLoop loop, T value) {
        LoopFuture<T> future = loop.createFuture();
        future.setResult(value);
        return future;
    }

    /** A future of {@code loop} failed with {@code error}. */
    public static <T> LoopFuture<T> failed(BaseEventLoop loop, Throwable error) {
        LoopFuture<T> future = loop.createFuture();
        future.setException(error);
        return future;
    }

    /**
     * asyncio's {@code create_connection} over the addresses {@code resolving} gives: each in turn until
     * one connects; when all fail, their errors in asyncio's words. Given up (cancelled, or completed by
     * {@code orTimeout}), the attempt under way is cancelled, which closes its socket, and no other address
     * is tried: the attempt went on until the kernel gave up its connect (about two minutes for a peer that
     * never answers), its socket open, and then the next address was tried (NetworkContract).
     *
     * @param localAddr asyncio's {@code local_addr}, resolved as the host is, or {@code null}; each
     *     attempt gets its addresses ({@code null} without it) to bind its socket with {@link #bindLocally}
     */
    public static <C extends AutoCloseable> LoopFuture<C> firstThatConnects(BaseEventLoop loop,
            CompletionStage<? extends List<? extends SocketAddress>> resolving, InetSocketAddress localAddr,
            BiFunction<SocketAddress, List<InetSocketAddress>, CompletionStage<C>> connect) {
        LoopFuture<C> result = loop.createFuture();
        AtomicReference<CompletionStage<C>> attempt = new AtomicReference<>();
        result.whenComplete((connected, givenUp) -> {
            CompletionStage<C> underWay = attempt.get();
            if (givenUp != null && underWay != null) {
                underWay.toCompletableFuture().cancel(false);
            }
        });
        LoopFuture<List<InetSocketAddress>> locals = localAddr == null ? null
                : ensureResolved(loop, localAddr.getHostString(), localAddr.getPort());
        resolving.whenComplete((addresses, failed) -> {
            if (result.isDone()) {
                return;
            }
            if (failed != null) {
                result.setException(unwrap(failed));
            } else if (locals == null) {
                tryNext(loop, addresses, 0, address -> connect.apply(address, null), new ArrayList<>(), result, attempt);
            } else {
                locals.whenComplete((bindable, localFailed) -> { // asyncio resolves local_addr after the host
                    if (result.isDone()) {
                        return;
                    }
                    if (localFailed != null) {
                        result.setException(unwrap(localFailed));
                    } else {
                        tryNext(loop, addresses, 0, address -> connect.apply(address, bindable), new ArrayList<>(), result, attempt);
                    }
                });
            }
        });
        return result;
    }

    /**
     * The {@code local_addr} step of asyncio's {@code _connect_sock}: binds {@code socket}, about to
     * connect to {@code remote}, to the first of {@code locals} of the same family that it takes
     * (nothing to do when {@code locals} is {@code null}). A failure is the last bind's, in asyncio's
     * words ("error while attempting to bind on address ('127.0.0.1', 8080): address already in use"),
     * or "no matching local address with family=… found" when none was of that family.
     */
    public static void bindLocally(NetworkChannel socket, SocketAddress remote, List<InetSocketAddress> locals) throws IOException {
        if (locals == null) {
            return;
        }
        boolean ipv4 = ((InetSocketAddress) remote).getAddress() instanceof Inet4Address;
        IOException last = null;
        for (InetSocketAddress local : locals) {
            if ((local.getAddress() instanceof Inet4Address) != ipv4) {
                continue; // asyncio: "skip local addresses of different family"
            }
            try {
                socket.bind(local);
                return;
            } catch (BindException e) {
                last = bindFailed(local, e);
            }
        }
        if (last != null) {
            throw last;
        }
        // Python's repr of the family, as asyncio's f"{family=}" prints it
        throw new SocketException("no matching local address with family="
                + (ipv4 ? "<AddressFamily.AF_INET: 2>" : "<AddressFamily.AF_INET6: 10>") + " found");
    }

    private static <C extends AutoCloseable> void tryNext(BaseEventLoop loop, List<? extends SocketAddress> addresses, int index,
            Function<SocketAddress, CompletionStage<C>> connect, List<Throwable> errors, LoopFuture<C> result,
            AtomicReference<CompletionStage<C>> attempt) {
        if (result.isDone()) {
            return; // given up
        }
        if (index == addresses.size()) {
            result.setException(combine(errors));
            return;
        }
        CompletionStage<C> trying = connect.apply(addresses.get(index));
        attempt.set(trying);
        trying.whenComplete((connected, error) -> {
            if (result.isDone()) {
                if (connected != null) {
                    closeConnected(loop, connected); // connected as it was given up
                }
            } else if (error == null) {
                result.setResult(connected);
            } else {
                errors.add(unwrap(error));
                tryNext(loop, addresses, index + 1, connect, errors, result, attempt);
            }
        });
    }

    /**
     * {@code socket} once {@code connecting} (its {@code sockConnect}) completes; when that fails, the
     * socket is closed ({@code unwatch} first: what the loop watches of it) and the future fails with the
     * real cause. Given up (cancelled, or completed by {@code orTimeout}), the connect is cancelled, which
     * closes the socket.
     */
    public static <S extends AutoCloseable> LoopFuture<S> whenConnected(BaseEventLoop loop, S socket,
            CompletionStage<?> connecting, Runnable unwatch) {
        LoopFuture<S> connected = loop.createFuture();
        loop.connectStarted(socket, () -> {
            unwatch.run();
            closeQuietly(socket);
        });
        connecting.whenComplete((ok, error) -> {
            if (error == null && !connected.isDone()) {
                connected.setResult(socket); // still the loop's to close, until startOnceConnected hands it over
                return;
            }
            loop.connectEnded(socket);
            unwatch.run();
            closeQuietly(socket);
            if (!connected.isDone()) {
                connected.setException(unwrap(error));
            }
        });
        connected.whenComplete((ok, givenUp) -> {
            if (givenUp != null) {
                connecting.toCompletableFuture().cancel(false);
            }
        });
        return connected;
    }

    /** {@link #whenConnected(BaseEventLoop, AutoCloseable, CompletionStage, Runnable)} for a connect the loop watches nothing of. */
    public static <S extends AutoCloseable> LoopFuture<S> whenConnected(BaseEventLoop loop, S socket,
            CompletionStage<?> connecting) {
        return whenConnected(loop, socket, connecting, () -> { });
    }

    private static Throwable combine(List<Throwable> errors) {
        if (errors.isEmpty()) {
            return new IOException("getaddrinfo() returned empty list");
        }
        // asyncio lists every error, a repeated one too, unless they all say the same
        List<String> messages = new ArrayList<>();
        errors.forEach(e -> messages.add(String.valueOf(e.getMessage())));
        if (messages.stream().distinct().count() == 1) {
            return errors.get(0);
        }
        IOException all = new IOException("Multiple exceptions: " + String.join(", ", messages));
        errors.forEach(all::addSuppressed);
        return all;
    }

    /**
     * Binds and listens, as asyncio's {@code create_server}: {@code SO_REUSEADDR} by default, the
     * backlog, and asyncio's message when the address is taken. Takes a {@code ServerSocketChannel}
     * (left non-blocking), an {@code AsynchronousServerSocketChannel}, or a loop's own socket (only
     * bound: the caller listens).
     */
    public static <C extends NetworkChannel> C listen(C channel, SocketAddress address, ServerOptions options)
            throws IOException {
        try {
            if (address instanceof InetSocketAddress) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
                if (options.reusePort()) {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
            }
            if (channel instanceof ServerSocketChannel server) {
                server.bind(address, options.backlog());
                server.configureBlocking(false);
            } else if (channel instanceof AsynchronousServerSocketChannel server) {
                server.bind(address, options.backlog());
            } else {
                channel.bind(address);
            }
            return channel;
        } catch (RuntimeException refused) { // an address the socket cannot take ("AF_UNIX path too long")
            closeQuietly(channel);
            throw refused;
        } catch (IOException e) {
            closeQuietly(channel);
            if (e instanceof BindException) {
                throw bindFailed(address, (BindException) e);
            }
            throw e;
        }
    }

    // A connect's socket, connected, that nobody takes any more: closed now, so not again with the loop.
    private static void closeConnected(BaseEventLoop loop, AutoCloseable socket) {
        loop.connectEnded(socket);
        closeQuietly(socket);
    }

    /**
     * {@code start} on the socket {@code connecting} gives. If the caller gives the result up first (a
     * cancel, a timeout), what was made is closed, as asyncio's {@code _connect_sock} closes the socket
     * and {@code _create_connection_transport} the transport on any error, a cancel included: the socket
     * once connected if the start has not taken it, else the transport once it is made. A cancelled
     * {@code createConnection} left its connected socket to nobody, a timed-out one too, and one
     * cancelled while its transport started left a live connection (outside reviews).
     */
    public static <S extends AutoCloseable, P extends Protocol> CompletionStage<Connection<P>> startOnceConnected(
            BaseEventLoop loop, CompletionStage<S> connecting, Function<? super S, ? extends CompletionStage<Connection<P>>> start) {
        CompletableFuture<S> connected = connecting.toCompletableFuture();
        AtomicReference<CompletionStage<Connection<P>>> starting = new AtomicReference<>();
        CompletableFuture<Connection<P>> started = connected.thenCompose(socket -> {
            loop.connectEnded(socket); // the start makes the transport at once, or closes the socket
            CompletionStage<Connection<P>> transport = start.apply(socket);
            starting.set(transport);
            return transport;
        }).toCompletableFuture();
        started.whenComplete((ok, error) -> {
            if (error == null) {
                return;
            }
            CompletionStage<Connection<P>> transport = starting.get();
            if (transport != null) {
                transport.thenAccept(made -> made.transport().close());
                return;
            }
            connected.cancel(false); // given up while connecting: the connect under way closes its socket
            connected.whenComplete((socket, failed) -> {
                if (socket != null && starting.get() == null) {
                    closeConnected(loop, socket);
                }
            });
        });
        return started;
    }

    /**
     * A reset in the C library's words and as a {@link SocketException}, as asyncio's {@code
     * ConnectionResetError(104, 'Connection reset by peer')} on every loop: the JDK says "Connection reset"
     * for {@code ECONNRESET} on a read (a plain {@code IOException} on NIO.2's channels), and a plain
     * {@code IOException} "Connection reset by peer" on a write (java.nio's channels and NIO.2's alike),
     * which code catching the reset as the epoll loop's sockets give it missed (the streams review).
     * Anything else is returned as it is.
     */
    public static IOException resetInTheCLibrarysWords(IOException e) {
        boolean readReset = "Connection reset".equals(e.getMessage());
        boolean writeReset = e.getClass() == IOException.class && "Connection reset by peer".equals(e.getMessage());
        if (!readReset && !writeReset) {
            return e;
        }
        SocketException inTheirWords = new SocketException("Connection reset by peer");
        inTheirWords.initCause(e);
        return inTheirWords;
    }

    /**
     * A socket never connected, in the kernel's words where the JDK throws {@code NotYetConnectedException}
     * with no message: a send on such a TCP socket fails with {@code EPIPE} (asyncio's {@code
     * BrokenPipeError(32, 'Broken pipe')}), a receive with {@code ENOTCONN} ("Transport endpoint is not
     * connected").
     */
    public static IOException notConnected(NotYetConnectedException e, boolean sending) {
        IOException inTheirWords = sending ? new IOException("Broken pipe")
                : new SocketException("Transport endpoint is not connected");
        inTheirWords.initCause(e);
        return inTheirWords;
    }

    /**
     * asyncio's words for a failed bind: create_server's "error while attempting to bind on address
     * ('127.0.0.1', 8080): address already in use"; create_unix_server's "Address '/run/app.sock' is
     * already in use" for a path taken (by a file that is not a stale socket), any other failure as the
     * system said it.
     */
    public static BindException bindFailed(SocketAddress address, BindException e) {
        if (address instanceof UnixDomainSocketAddress unix && !"Address already in use".equals(e.getMessage())) {
            return e;
        }
        BindException described = new BindException(address instanceof UnixDomainSocketAddress unix
                ? "Address '" + unix.getPath() + "' is already in use"
                : "error while attempting to bind on address " + describe(address) + ": "
                        + String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT));
        described.initCause(e);
        return described;
    }

    /**
     * asyncio's {@code sock_connect} and {@code sock_sendto} take an address to resolve
     * ({@code _ensure_resolved}; {@code sendto(2)} through Python's socket resolves it itself): an
     * unresolved {@link InetSocketAddress} is looked up as {@link #ensureResolved} does (an address
     * literal parsed, no executor) and {@code then}
     * given its first address; any other address goes to {@code then} at once. A cancel of the result
     * reaches the lookup or the step under way. An unresolved address was refused, by the JDK's
     * {@code UnresolvedAddressException} thrown out of the call (outside reviews).
     */
    public static <T> LoopFuture<T> afterResolving(BaseEventLoop loop, SocketAddress address,
            Function<SocketAddress, LoopFuture<T>> then) {
        if (!(address instanceof InetSocketAddress unresolved) || !unresolved.isUnresolved()) {
            return then.apply(address);
        }
        LoopFuture<T> result = loop.createFuture();
        LoopFuture<List<InetSocketAddress>> resolving = ensureResolved(loop, unresolved.getHostString(), unresolved.getPort());
        cancelWith(result, resolving);
        resolving.addDoneCallback(resolved -> {
            if (result.isDone() || passedOnItsEnd(resolved, result)) {
                return;
            }
            LoopFuture<T> step;
            try {
                step = then.apply(resolved.result().get(0));
            } catch (RuntimeException refused) {
                result.setException(refused);
                return;
            }
            cancelWith(result, step);
            step.addDoneCallback(done -> {
                if (!result.isDone() && !passedOnItsEnd(done, result)) {
                    result.setResult(done.result());
                }
            });
        });
        return result;
    }

    private static void cancelWith(LoopFuture<?> outer, LoopFuture<?> inner) {
        outer.addDoneCallback(done -> {
            if (done.isCancelled()) {
                inner.cancel(null);
            }
        });
    }

    // A step's cancel or failure, passed on to result: whether it had one.
    private static boolean passedOnItsEnd(LoopFuture<?> step, LoopFuture<?> result) {
        if (step.isCancelled()) {
            result.cancel(null);
            return true;
        }
        if (step.exception() != null) {
            result.setException(step.exception());
            return true;
        }
        return false;
    }

    /**
     * asyncio's message for a failed connect: "Connect call failed ('127.0.0.1', 1): Connection refused".
     * A Unix connect's error is passed on as it is: it fails at once, and asyncio's {@code sock_connect}
     * says "Connect call failed" only of a connect that failed after {@code EINPROGRESS} (SocketBadLuckContract).
     */
    public static IOException connectFailed(SocketAddress address, IOException cause) {
        if (address instanceof UnixDomainSocketAddress) {
            return cause;
        }
        ConnectException failed = new ConnectException("Connect call failed " + describe(address)
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        failed.initCause(cause);
        return failed;
    }

    // stat's st_mode file type of a socket
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** sun_path's size on Linux, its terminating NUL included. */
    private static final int UNIX_PATH_BYTES = 108;

    /**
     * The address of a Unix socket at {@code path}, refused in asyncio's words (the socket module's
     * {@code OSError}) when sun_path cannot hold it: the JDK and the epoll loop's own sockets said it in
     * words of their own, different for a server and a connection (SocketBadLuckContract).
     */
    public static UnixDomainSocketAddress unixAddress(Path path) throws SocketException {
        if (path.toString().getBytes(StandardCharsets.UTF_8).length >= UNIX_PATH_BYTES) {
            throw new SocketException("AF_UNIX path too long");
        }
        return UnixDomainSocketAddress.of(path);
    }

    /** asyncio's {@code create_unix_server}: a socket file left by a dead server is removed first. */
    public static void removeStaleUnixSocket(Path path) throws IOException {
        // S_ISSOCK only, as asyncio: isOther() also took a FIFO or a device, which was deleted and bound over.
        // Of what the path leads to, as asyncio's os.stat: a link to a stale socket is removed (the link),
        // where a look at the link itself left a server that could not bind after a crash (the network review).
        if (Files.exists(path) && ((Integer) Files.getAttribute(path, "unix:mode") & S_IFMT) == S_IFSOCK) {
            Files.delete(path);
        }
    }

    /** The address as asyncio prints it: {@code ('127.0.0.1', 8080)} or the path. */
    public static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            // the address tried, as asyncio's sockaddr: the host name of a resolved address named every
            // address of a host alike, and "Multiple exceptions" merged them into one
            if (inet.getAddress() instanceof Inet6Address v6) {
                // Python's AF_INET6 sockaddr: (host, port, flowinfo, scope_id), the host in its short form
                return "('" + ipv6Text(v6) + "', " + inet.getPort() + ", 0, " + v6.getScopeId() + ")";
            }
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return "('" + host + "', " + inet.getPort() + ")";
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return "'" + unix.getPath() + "'";
        }
        return String.valueOf(address);
    }

    /**
     * An IPv6 address as Python (and RFC 5952) writes it: lower case, no leading zeros, the longest
     * run of two or more zero groups (the first of equal runs) as "::". The JDK writes every group
     * ("0:0:0:0:0:0:0:1" for "::1").
     */
    static String ipv6Text(Inet6Address address) {
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; i++) {
            int length = 0;
            while (i + length < 8 && groups[i + length] == 0) {
                length++;
            }
            if (length > bestLength) {
                bestStart = i;
                bestLength = length;
            }
            i += length;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /** The real failure inside a {@link CompletionException} or {@link ExecutionException}. */
    public static Throwable unwrap(Throwable error) {
        while ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    public static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // nothing more to release
        }
    }
}
