package dev.loopkit.api;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.osgi.annotation.versioning.ProviderType;

/**
 * asyncio's {@code AbstractEventLoop}. A loop runs on the thread that calls {@link #runForever()}
 * or {@link #runUntilComplete(CompletionStage)}; every callback runs on that thread. Only
 * {@link #callSoonThreadsafe(Runnable)} (and {@link #execute(Runnable)}, its {@link Executor}
 * spelling) may be called from other threads.
 *
 * <p>Errors use asyncio's words: {@link IllegalStateException} "Event loop is closed", "This event
 * loop is already running", "Cannot close a running event loop".
 */
@ProviderType
public interface EventLoop extends Executor {

    // ---- running and stopping -------------------------------------------------------------

    /** Runs until {@link #stop()} is called. */
    void runForever();

    /**
     * Runs until {@code future} is done and returns its result. A failure is rethrown: unchecked
     * exceptions as they are, checked ones in a {@link java.util.concurrent.CompletionException},
     * cancellation as {@link java.util.concurrent.CancellationException}.
     *
     * @throws IllegalStateException "Event loop stopped before Future completed." when
     *         {@link #stop()} ends the run first
     */
    <T> T runUntilComplete(CompletionStage<T> future);

    /** Stops the loop after the callbacks of the current iteration. */
    void stop();

    boolean isRunning();

    boolean isClosed();

    /**
     * Closes the loop: pending callbacks are dropped, the default executor is shut down, the
     * loop's file descriptors are closed. Idempotent.
     *
     * @throws IllegalStateException "Cannot close a running event loop"
     */
    void close();

    // ---- scheduling -----------------------------------------------------------------------

    /** Runs {@code callback} at the next iteration, after callbacks already scheduled (FIFO). */
    Handle callSoon(Runnable callback);

    /** {@link #callSoon(Runnable)} from any thread; wakes the loop. */
    Handle callSoonThreadsafe(Runnable callback);

    /**
     * {@link #callSoonThreadsafe(Runnable)}, so that a loop is an {@link Executor}.
     *
     * @throws RejectedExecutionException "Event loop is closed", as the {@link Executor} contract has a
     *     task that cannot be taken refused
     */
    @Override
    default void execute(Runnable command) {
        try {
            callSoonThreadsafe(command);
        } catch (IllegalStateException closed) {
            throw new RejectedExecutionException(closed.getMessage(), closed);
        }
    }

    /** Runs {@code callback} after {@code delaySeconds}, never earlier. */
    TimerHandle callLater(double delaySeconds, Runnable callback);

    /** Runs {@code callback} at loop time {@code when} ({@link #time()}), never earlier. */
    TimerHandle callAt(double when, Runnable callback);

    /** The loop's monotonic clock, in seconds. */
    double time();

    // ---- futures and executors -------------------------------------------------------------

    /** A new pending future bound to this loop. */
    <T> LoopFuture<T> createFuture();

    /**
     * Runs {@code function} on {@code executor} ({@code null}: the loop's default executor) and
     * completes the returned future on this loop.
     */
    <T> LoopFuture<T> runInExecutor(Executor executor, Callable<T> function);

    /**
     * asyncio 3.12's {@code shutdown_default_executor(timeout)}: shuts the default executor down; the
     * future completes on this loop once its threads have ended, or once {@code timeoutSeconds} have
     * passed (a warning is then logged and their tasks run on). {@link Asyncio#run} waits for it, as
     * {@code asyncio.run} does. This default is for a loop without a default executor: nothing to wait for.
     *
     * @since 2.3
     */
    default LoopFuture<Void> shutdownDefaultExecutor(double timeoutSeconds) {
        LoopFuture<Void> done = createFuture();
        done.setResult(null);
        return done;
    }

    // ---- readiness of channels and file descriptors ------------------------------------------

    /**
     * Calls {@code callback} whenever {@code channel} is readable (for a server channel: has a
     * connection to accept); replaces an earlier reader. The channel must be non-blocking.
     *
     * @throws IllegalArgumentException when the channel is closed or blocking
     * @throws UnsupportedOperationException on a completion-based loop (asyncio's proactor has no
     *         readiness operations on sockets)
     */
    void addReader(SelectableChannel channel, Runnable callback);

    /** {@code true} if a reader was removed. */
    boolean removeReader(SelectableChannel channel);

    void addWriter(SelectableChannel channel, Runnable callback);

    boolean removeWriter(SelectableChannel channel);

    /**
     * Calls {@code callback} whenever the raw file descriptor {@code fd} (pipe, pidfd, eventfd) is
     * readable; replaces an earlier reader.
     *
     * @throws IllegalArgumentException "Invalid file descriptor: N" for a negative or closed fd
     */
    void addReader(int fd, Runnable callback);

    boolean removeReader(int fd);

    void addWriter(int fd, Runnable callback);

    boolean removeWriter(int fd);

    // ---- low-level socket operations ------------------------------------------------------------

    /**
     * asyncio {@code sock_recv_into(sock, buf)}: reads into {@code buffer} once data is there;
     * completes with the number of bytes, {@code -1} at end of stream. The selector loop takes a
     * non-blocking {@link java.nio.channels.SocketChannel}, the proactor an
     * {@link java.nio.channels.AsynchronousSocketChannel}.
     */
    LoopFuture<Integer> sockRecv(NetworkChannel channel, ByteBuffer buffer);

    /** asyncio {@code sock_sendall(sock, data)}: completes once every remaining byte of {@code data} is sent. */
    LoopFuture<Void> sockSendall(NetworkChannel channel, ByteBuffer data);

    /** asyncio {@code sock_accept(sock)}: the next accepted connection, non-blocking like its server. */
    LoopFuture<NetworkChannel> sockAccept(NetworkChannel serverChannel);

    /** asyncio {@code sock_connect(sock, address)}. */
    LoopFuture<Void> sockConnect(NetworkChannel channel, SocketAddress address);

    /**
     * asyncio {@code getaddrinfo(host, port)}: the addresses {@code host} resolves to, looked up in
     * the default executor.
     */
    LoopFuture<List<InetSocketAddress>> getaddrinfo(String host, int port);

    // ---- signals ------------------------------------------------------------------------------

    /**
     * Runs {@code callback} on this loop whenever the process receives {@code signum}; several loops
     * may listen to one signal, each gets the callback on its own thread. The real-time signals
     * {@code SIGRTMIN..SIGRTMAX} (34 to 64) are caught too, with the posix bundle on x86-64.
     *
     * @throws IllegalArgumentException asyncio's "invalid signal number N" for a number that is no signal
     *         (outside 1 to 64, or glibc's own 32 and 33)
     * @throws IllegalStateException "sig N cannot be caught" for SIGKILL, SIGSTOP and the signals the
     *         JVM keeps for itself (asyncio's {@code RuntimeError})
     */
    void addSignalHandler(int signum, Runnable callback);

    /** {@code true} if a handler was removed. */
    boolean removeSignalHandler(int signum);

    // ---- errors and debugging -----------------------------------------------------------------

    /** asyncio {@code set_exception_handler}; {@code null} restores the default handler. */
    void setExceptionHandler(ExceptionHandler handler);

    /** The handler set with {@link #setExceptionHandler}, or {@code null}. */
    ExceptionHandler getExceptionHandler();

    /** asyncio {@code default_exception_handler}: logs the context at ERROR. */
    void defaultExceptionHandler(Map<String, Object> context);

    /** asyncio {@code call_exception_handler}: the custom handler if set, else the default one. */
    void callExceptionHandler(Map<String, Object> context);

    /** asyncio debug mode: thread checks, slow-callback warnings, creation tracebacks. */
    void setDebug(boolean enabled);

    boolean getDebug();

    // ---- subprocesses ---------------------------------------------------------------------------

    /** asyncio {@code subprocess_exec(protocol_factory, *args)} with the default options (three pipes). */
    default CompletionStage<SubprocessTransport> subprocessExec(
            Supplier<? extends SubprocessProtocol> protocolFactory, List<String> args) {
        return subprocessExec(protocolFactory, args, SubprocessOptions.defaults());
    }

    /**
     * asyncio {@code subprocess_exec}: spawns {@code args} through the current policy's child
     * watcher.
     *
     * <p>The returned stage fails, before anything is spawned, with an {@link IllegalStateException}
     * "the child watcher is not activated, subprocess support is not installed (<i>watcher</i>:
     * <i>why</i>)" when the watcher is not active (asyncio's {@code RuntimeError}), and with the
     * OS's error naming the program when it cannot be spawned ("No such file or directory:
     * 'nosuchprog'").
     *
     * @throws IllegalStateException "Event loop is closed"
     */
    CompletionStage<SubprocessTransport> subprocessExec(
            Supplier<? extends SubprocessProtocol> protocolFactory, List<String> args, SubprocessOptions options);

    /** asyncio {@code subprocess_shell}: {@code /bin/sh -c cmd}. */
    default CompletionStage<SubprocessTransport> subprocessShell(
            Supplier<? extends SubprocessProtocol> protocolFactory, String cmd) {
        return subprocessShell(protocolFactory, cmd, SubprocessOptions.defaults());
    }

    CompletionStage<SubprocessTransport> subprocessShell(
            Supplier<? extends SubprocessProtocol> protocolFactory, String cmd, SubprocessOptions options);

    // ---- network --------------------------------------------------------------------------------

    /** asyncio {@code create_connection(protocol_factory, host, port)} over TCP (IPv4 or IPv6). */
    <P extends Protocol> CompletionStage<Connection<P>> createConnection(Supplier<P> protocolFactory, String host, int port);

    /** asyncio {@code create_unix_connection(protocol_factory, path)}. */
    <P extends Protocol> CompletionStage<Connection<P>> createUnixConnection(Supplier<P> protocolFactory, Path path);

    /**
     * asyncio {@code create_server(protocol_factory, host, port)}: listens on every address
     * {@code host} resolves to ({@code null}: all interfaces), port 0 picks a free port.
     */
    default CompletionStage<Server> createServer(Supplier<? extends Protocol> protocolFactory, String host, int port) {
        return createServer(protocolFactory, host, port, ServerOptions.defaults());
    }

    /** asyncio {@code create_server} with its keyword arguments. */
    CompletionStage<Server> createServer(Supplier<? extends Protocol> protocolFactory, String host, int port,
            ServerOptions options);

    /** asyncio {@code create_unix_server(protocol_factory, path)}. */
    CompletionStage<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path);

    // ---- TLS, sockets accepted elsewhere, pipes ---------------------------------------------------

    /**
     * asyncio {@code create_connection(protocol_factory, host, port, ssl=…, server_hostname=…,
     * ssl_handshake_timeout=…, ssl_shutdown_timeout=…)}. With {@code options.ssl()} the connection is
     * TLS (through {@link javax.net.ssl.SSLEngine}): the server's certificate is checked against
     * {@code server_hostname} (by default {@code host}), the stage completes once the handshake is
     * done, and the protocol sees only plain bytes. The transport's {@code getExtraInfo} answers
     * {@code ssl_object} (the {@code SSLEngine}), {@code peercert} (the peer's
     * {@link java.security.cert.X509Certificate}, or {@code null}), {@code cipher} (asyncio's
     * {@code (name, version, secret_bits)} as a list), {@code sslcontext}, and the socket's keys.
     * The stage fails with asyncio's errors: a {@link java.net.SocketException} "SSL handshake is
     * taking longer than 60.0 seconds: aborting the connection", an
     * {@link javax.net.ssl.SSLHandshakeException} naming the host when its certificate is refused.
     *
     * @throws IllegalArgumentException "server_hostname is only meaningful with ssl" and asyncio's
     *         other {@code ValueError}s
     */
    <P extends Protocol> CompletionStage<Connection<P>> createConnection(Supplier<P> protocolFactory, String host,
            int port, ConnectionOptions options);

    /**
     * asyncio {@code start_tls(transport, protocol, sslcontext, server_side=…, server_hostname=…,
     * ssl_handshake_timeout=…, ssl_shutdown_timeout=…)}: upgrades a live connection to TLS. From now
     * on {@code protocol} talks through the returned transport (its {@code connectionMade} is not
     * called again); {@code transport} must not be used any more. When the handshake fails the
     * connection is closed and the stage fails.
     *
     * @throws IllegalArgumentException "transport … is not supported by start_tls()" for a transport
     *         that is no socket transport of this loop (asyncio's {@code TypeError})
     */
    CompletionStage<Transport> startTls(Transport transport, Protocol protocol, SSLContext sslContext,
            boolean serverSide, ConnectionOptions options);

    /**
     * asyncio {@code connect_accepted_socket(protocol_factory, sock, ssl=…)}: a transport and protocol
     * over a connection accepted elsewhere (a {@link java.nio.channels.SocketChannel} on a selector
     * loop, an {@link java.nio.channels.AsynchronousSocketChannel} of the loop's group on the proactor);
     * with {@code options.ssl()} the loop is the TLS server side. The transport owns the channel
     * from now on.
     */
    <P extends Protocol> CompletionStage<Connection<P>> connectAcceptedSocket(Supplier<P> protocolFactory,
            NetworkChannel channel, ConnectionOptions options);

    /**
     * asyncio {@code connect_read_pipe(protocol_factory, pipe)}: reads the pipe or FIFO open at file
     * descriptor {@code fd} into a new protocol, through the transport a child's stdout uses. The
     * descriptor is made non-blocking and belongs to the transport, which closes it. End of file gives
     * {@code eofReceived} then {@code connectionLost(null)}. The transport is a {@link ReadTransport}:
     * its write methods throw {@link UnsupportedOperationException}.
     *
     * @throws IllegalArgumentException asyncio's "Pipe transport is for pipes/sockets only." for what is
     *         not a pipe, a FIFO, a socket or a character device (a regular file, a directory, an eventfd);
     *         "Invalid file descriptor: N"
     */
    <P extends Protocol> CompletionStage<Connection<P>> connectReadPipe(Supplier<P> protocolFactory, int fd);

    /**
     * asyncio {@code connect_write_pipe(protocol_factory, pipe)}: writes to the pipe or FIFO open at
     * {@code fd} (made non-blocking; the transport closes it). When the reading end closes with data
     * still buffered, {@code connectionLost} gets asyncio's {@code BrokenPipeError} (an
     * {@link java.io.IOException} "Broken pipe"); with nothing buffered, {@code null}. The transport
     * is a {@link WriteTransport}: its read methods throw {@link UnsupportedOperationException}.
     *
     * @throws IllegalArgumentException asyncio's "Pipe transport is only for pipes, sockets and character
     *         devices" for anything else; "Invalid file descriptor: N"
     */
    <P extends Protocol> CompletionStage<Connection<P>> connectWritePipe(Supplier<P> protocolFactory, int fd);
    // ---- UDP and sendfile ------------------------------------------------------------------------

    /** {@link #createDatagramEndpoint(Supplier, SocketAddress, SocketAddress, DatagramOptions)} with the default options. */
    default <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> createDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr) {
        return createDatagramEndpoint(protocolFactory, localAddr, remoteAddr, DatagramOptions.defaults());
    }

    /**
     * asyncio {@code create_datagram_endpoint(protocol_factory, local_addr, remote_addr, family=,
     * reuse_port=, allow_broadcast=)}: a UDP endpoint bound to {@code localAddr} (port 0: a free port)
     * and/or connected to {@code remoteAddr} ({@code InetSocketAddress}es; unresolved ones are looked
     * up as {@link #getaddrinfo} does, the first family both resolve to is used). The stage completes
     * once the protocol's {@code connectionMade} ran.
     *
     * @throws IllegalArgumentException "unexpected address family" with neither address nor a family
     *         (asyncio's {@code ValueError}); the stage fails with "can not get address information"
     *         when the two addresses share no family, and with the OS error when binding fails
     */
    <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> createDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr, DatagramOptions options);

    /**
     * asyncio {@code sock_recvfrom(sock, bufsize)}: the next datagram on a non-blocking
     * {@link java.nio.channels.DatagramChannel} (on every loop), at most {@code bufsize} bytes of it.
     */
    LoopFuture<Datagram> sockRecvfrom(NetworkChannel channel, int bufsize);

    /**
     * asyncio {@code sock_sendto(sock, data, address)}: sends the remaining bytes of {@code data} as
     * one datagram once the non-blocking {@link java.nio.channels.DatagramChannel} can; completes with
     * the number of bytes sent. An empty {@code data} sends an empty datagram where the channel can (not
     * a connected JDK channel, which makes no system call for it) and completes with 0; an unresolved
     * {@code address} is looked up first, as Python's {@code sendto} does.
     */
    LoopFuture<Integer> sockSendto(NetworkChannel channel, ByteBuffer data, SocketAddress address);

    /** {@link #sendfile(Transport, FileChannel, long, Long)} of the whole file. */
    default LoopFuture<Long> sendfile(Transport transport, FileChannel file) {
        return sendfile(transport, file, 0, null);
    }

    /**
     * asyncio {@code sendfile(transport, file, offset, count)}: sends {@code count} bytes of
     * {@code file} from {@code offset} ({@code null}: up to its end) through the transport, and
     * completes with the number of bytes sent. The transport's write buffer drains first; its reading
     * is paused meanwhile and resumed after. Zero-copy ({@code sendfile(2)}) where the
     * transport sends straight to a socket; otherwise
     * asyncio's fallback: the file is read in blocks in the default executor (as large as the transport's
     * high-water mark, from asyncio's 16 KiB up to 256 KiB) and written to the transport, respecting its
     * flow control; a read the executor refuses fails the sendfile. The file's position is left after the
     * last byte sent.
     *
     * @throws IllegalArgumentException "offset must be a non-negative integer (got -1)", "count must be
     *         a positive integer (got 0)"
     * @throws IllegalStateException "Transport is closing"
     */
    LoopFuture<Long> sendfile(Transport transport, FileChannel file, long offset, Long count);

    /**
     * asyncio {@code sock_sendfile(sock, file, offset, count)}: as {@link #sendfile(Transport,
     * FileChannel, long, Long)}, on a connected socket of the kind {@link #sockSendall} takes.
     */
    LoopFuture<Long> sockSendfile(NetworkChannel channel, FileChannel file, long offset, Long count);
}
