package dev.loopkit.api;

import javax.net.ssl.SSLContext;

/**
 * The keyword arguments of asyncio's {@code create_server}: {@code backlog} (100),
 * {@code reuse_address} (true on Unix), {@code reuse_port} (false), {@code start_serving} (true),
 * and TLS: {@code ssl} (an {@link SSLContext} with the server's key, {@code null} for plain TCP),
 * {@code ssl_handshake_timeout} (60 s when {@code null}) and {@code ssl_shutdown_timeout} (30 s when
 * {@code null}; a timeout without {@code ssl} is refused with asyncio's "ssl_handshake_timeout is only
 * meaningful with ssl"). Immutable; each {@code with…} method returns a changed copy.
 */
public record ServerOptions(int backlog, boolean reuseAddress, boolean reusePort, boolean startServing,
        SSLContext ssl, Double sslHandshakeTimeout, Double sslShutdownTimeout) {

    private static final ServerOptions DEFAULTS = new ServerOptions(100, true, false, true);

    public ServerOptions {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1, not " + backlog);
        }
    }

    /** The options without TLS. */
    public ServerOptions(int backlog, boolean reuseAddress, boolean reusePort, boolean startServing) {
        this(backlog, reuseAddress, reusePort, startServing, null, null, null);
    }

    public static ServerOptions defaults() {
        return DEFAULTS;
    }

    public ServerOptions withBacklog(int value) {
        return new ServerOptions(value, reuseAddress, reusePort, startServing, ssl, sslHandshakeTimeout, sslShutdownTimeout);
    }

    public ServerOptions withReuseAddress(boolean value) {
        return new ServerOptions(backlog, value, reusePort, startServing, ssl, sslHandshakeTimeout, sslShutdownTimeout);
    }

    public ServerOptions withReusePort(boolean value) {
        return new ServerOptions(backlog, reuseAddress, value, startServing, ssl, sslHandshakeTimeout, sslShutdownTimeout);
    }

    public ServerOptions withStartServing(boolean value) {
        return new ServerOptions(backlog, reuseAddress, reusePort, value, ssl, sslHandshakeTimeout, sslShutdownTimeout);
    }

    public ServerOptions withSsl(SSLContext value) {
        return new ServerOptions(backlog, reuseAddress, reusePort, startServing, value, sslHandshakeTimeout, sslShutdownTimeout);
    }

    public ServerOptions withSslHandshakeTimeout(double seconds) {
        return new ServerOptions(backlog, reuseAddress, reusePort, startServing, ssl, seconds, sslShutdownTimeout);
    }

    public ServerOptions withSslShutdownTimeout(double seconds) {
        return new ServerOptions(backlog, reuseAddress, reusePort, startServing, ssl, sslHandshakeTimeout, seconds);
    }

    /** The TLS part, as the accepted connections use it ({@code server_hostname} has no meaning on a server). */
    public ConnectionOptions connectionOptions() {
        return new ConnectionOptions(ssl, null, sslHandshakeTimeout, sslShutdownTimeout);
    }
}
