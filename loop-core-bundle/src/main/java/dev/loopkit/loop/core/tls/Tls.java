package dev.loopkit.loop.core.tls;

import dev.loopkit.api.Connection;
import dev.loopkit.api.ConnectionOptions;
import dev.loopkit.api.Handle;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.api.Transport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.DefaultLoopFuture;
import dev.loopkit.loop.core.Networks;
import dev.loopkit.loop.core.transports.AbstractSocketTransport;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Where every loop gets TLS, as asyncio's {@code base_events} wires {@code SSLProtocol} in: a
 * connection's protocol factory is wrapped so that the socket transport's protocol is an
 * {@link SslProtocol} and the application's protocol sits behind it; {@code start_tls} swaps the
 * protocol of a live transport. Nothing here depends on how a loop moves bytes.
 */
public final class Tls {

    private Tls() {
    }

    /**
     * asyncio's {@code ValueError}s for TLS arguments given without {@code ssl}: "server_hostname is
     * only meaningful with ssl", and the same for both timeouts.
     */
    public static void checkOnlyWithSsl(SSLContext ssl, String serverHostname, Double handshakeTimeout,
            Double shutdownTimeout) {
        if (ssl != null) {
            TlsTimeouts.of(handshakeTimeout, shutdownTimeout);
            return;
        }
        if (serverHostname != null) {
            throw new IllegalArgumentException("server_hostname is only meaningful with ssl");
        }
        if (handshakeTimeout != null) {
            throw new IllegalArgumentException("ssl_handshake_timeout is only meaningful with ssl");
        }
        if (shutdownTimeout != null) {
            throw new IllegalArgumentException("ssl_shutdown_timeout is only meaningful with ssl");
        }
    }

    /**
     * Checks {@code options} as asyncio's {@code create_connection} does (see
     * {@link #checkOnlyWithSsl}); {@code true} when they ask for no TLS.
     */
    public static boolean plain(ConnectionOptions options) {
        Objects.requireNonNull(options, "options");
        checkOnlyWithSsl(options.ssl(), options.serverHostname(), options.sslHandshakeTimeout(),
                options.sslShutdownTimeout());
        return options.ssl() == null;
    }

    /**
     * A TLS connection over whatever {@code plainConnect} makes with the factory it is given (a
     * connect, an accepted socket): completes once the handshake is done, with the TLS transport and
     * the application's protocol; when the handshake fails the connection is closed and the stage fails.
     *
     * @param defaultHostname the host connected to: the name checked when {@code server_hostname} is not set
     */
    public static <P extends Protocol> CompletionStage<Connection<P>> connect(BaseEventLoop loop, Supplier<P> protocolFactory,
            ConnectionOptions options, boolean serverSide, String defaultHostname,
            Function<Supplier<SslProtocol>, CompletionStage<Connection<SslProtocol>>> plainConnect) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        SSLContext context = options.ssl();
        TlsTimeouts timeouts = TlsTimeouts.of(options.sslHandshakeTimeout(), options.sslShutdownTimeout());
        String hostname = serverSide ? null : options.serverHostname() != null ? options.serverHostname() : defaultHostname;
        DefaultLoopFuture<Void> handshake = new DefaultLoopFuture<>(loop);
        // Its failure reaches the caller through the result, or goes with a connection the caller gave up:
        // never "Future exception was never retrieved" (an outside review: a cancel during the handshake)
        handshake.markRetrieved();
        LoopFuture<Connection<P>> result = loop.createFuture();
        Object[] app = new Object[1];
        Supplier<SslProtocol> tlsFactory = () -> {
            P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            app[0] = protocol;
            return new SslProtocol(loop, protocol, context, engine(context, serverSide, hostname), hostname, handshake,
                    timeouts, true);
        };
        CompletableFuture<Connection<SslProtocol>> connecting = plainConnect.apply(tlsFactory).toCompletableFuture();
        connecting.whenComplete((plain, connectError) -> {
            if (result.isDone()) {
                return; // given up: closed below
            }
            if (connectError != null) {
                result.setException(Networks.unwrap(connectError));
                return;
            }
            handshake.whenComplete((done, handshakeError) -> {
                if (result.isDone()) {
                    return;
                }
                if (handshakeError != null) {
                    plain.transport().close();
                    result.setException(Networks.unwrap(handshakeError));
                } else {
                    @SuppressWarnings("unchecked")
                    P protocol = (P) app[0];
                    result.setResult(new Connection<>(plain.protocol().appTransport(), protocol));
                }
            });
        });
        // asyncio's create_connection is one coroutine: cancelled during the connect or the handshake it
        // closes the transport. The result here is tied to neither: a cancel left the socket open and the
        // handshake going until its timeout, and a protocol made for nobody (an outside review).
        result.whenComplete((ok, error) -> {
            if (error != null) {
                connecting.cancel(false);
                connecting.thenAccept(plain -> plain.transport().close());
            }
        });
        return result;
    }

    /**
     * The protocol factory of a server with {@code options}: the application's own without
     * {@code ssl}, else one that puts the server side of TLS in front of each connection's protocol
     * (whose {@code connectionMade} follows the handshake).
     */
    public static Supplier<? extends Protocol> serverFactory(BaseEventLoop loop, Supplier<? extends Protocol> protocolFactory,
            ServerOptions options) {
        checkOnlyWithSsl(options.ssl(), null, options.sslHandshakeTimeout(), options.sslShutdownTimeout());
        SSLContext context = options.ssl();
        if (context == null) {
            return protocolFactory;
        }
        TlsTimeouts timeouts = TlsTimeouts.of(options.sslHandshakeTimeout(), options.sslShutdownTimeout());
        return () -> new SslProtocol(loop, Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null"),
                context, engine(context, true, null), null, null, timeouts, true);
    }

    /** asyncio's {@code loop.start_tls}; see {@link dev.loopkit.api.EventLoop#startTls}. */
    public static CompletionStage<Transport> startTls(BaseEventLoop loop, Transport transport, Protocol protocol,
            SSLContext context, boolean serverSide, ConnectionOptions options) {
        if (context == null) {
            throw new IllegalArgumentException("sslcontext is expected to be an instance of ssl.SSLContext, got None");
        }
        if (!(transport instanceof AbstractSocketTransport socket) || !socket.belongsTo(loop)) {
            // another loop's was taken: the stage waited for ever on this loop, the transport paused on its own
            throw new IllegalArgumentException("transport " + transport + " is not supported by start_tls()");
        }
        if (socket.isClosing()) {
            // asyncio goes on, and its start_tls returns None; here the TLS layer took the transport's protocol
            // before connectionLost, which the caller's protocol then never heard
            throw new IllegalStateException("Transport is closing");
        }
        if (socket.getProtocol() instanceof SslProtocol) {
            // A second layer took the protocol from the first, whose handshake then never ended
            throw new IllegalArgumentException("transport " + transport
                    + " is not supported by start_tls(): TLS is already started on it");
        }
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(options, "options");
        TlsTimeouts timeouts = TlsTimeouts.of(options.sslHandshakeTimeout(), options.sslShutdownTimeout());
        String hostname = serverSide ? null : options.serverHostname();
        if (hostname == null && !serverSide) {
            // OpenSSL's words: asyncio's start_tls does not default the name to the peer's address
            throw new IllegalArgumentException("check_hostname requires server_hostname");
        }
        LoopFuture<Void> handshake = loop.createFuture();
        SslProtocol ssl = new SslProtocol(loop, protocol, context, engine(context, serverSide, hostname), hostname,
                handshake, timeouts, false);
        if (socket.isWritingPaused()) {
            ssl.tookOverAPausedTransport(socket.getProtocol() == protocol);
        }
        // asyncio: pause first, so that no data reaches the TLS layer before its connection_made
        socket.pauseReading();
        socket.setProtocol(ssl);
        Handle made = loop.callSoon(() -> ssl.connectionMade(socket));
        Handle resumed = loop.callSoon(socket::resumeReading);
        LoopFuture<Transport> result = loop.createFuture();
        handshake.whenComplete((done, error) -> {
            if (result.isDone()) {
                return; // given up: closed below
            }
            if (error != null) {
                result.setException(Networks.unwrap(error));
            } else {
                result.setResult(ssl.appTransport());
            }
        });
        // asyncio's start_tls, failed or cancelled: transport.close(), and its queued callbacks cancelled.
        // A cancel left the connection open and the handshake going (an outside review).
        result.whenComplete((ok, error) -> {
            if (error != null) {
                socket.close();
                made.cancel();
                resumed.cancel();
            }
        });
        return result;
    }

    /**
     * The engine for one connection. A client checks the server's certificate against
     * {@code hostname} (the JDK's "HTTPS" identification, asyncio's {@code check_hostname}) and sends
     * it as SNI; {@code ""} turns both off, as {@code server_hostname=''} does in asyncio.
     */
    static SSLEngine engine(SSLContext context, boolean serverSide, String hostname) {
        boolean checkName = !serverSide && hostname != null && !hostname.isEmpty();
        SSLEngine engine = checkName ? context.createSSLEngine(hostname, -1) : context.createSSLEngine();
        engine.setUseClientMode(!serverSide);
        if (checkName) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        }
        return engine;
    }
}
