package dev.loopkit.api;

import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;

/**
 * The TLS keyword arguments of asyncio's {@code create_connection}, {@code connect_accepted_socket}
 * and {@code start_tls}: {@code ssl} (an {@link SSLContext}, {@code null} for plain TCP),
 * {@code server_hostname} (the name the server's certificate must carry, and the SNI name; by
 * default the host connected to; {@code ""} turns the check off, as in asyncio),
 * {@code ssl_handshake_timeout} (60 s when {@code null}) and {@code ssl_shutdown_timeout} (30 s when
 * {@code null}); and {@code create_connection}'s {@code local_addr} (the host and port its socket is
 * bound to before it connects; {@code null} for the system's choice), as an unresolved address that
 * the loop resolves as it does the host connected to. Immutable; each {@code with…} method returns a
 * changed copy.
 *
 * <p>The loop checks the combination when it is used, with asyncio's words: a host name or a timeout
 * without {@code ssl} is an {@link IllegalArgumentException} ("server_hostname is only meaningful with
 * ssl"), as is a timeout that is not positive ("ssl_handshake_timeout should be a positive number, got
 * 0.0"); a local address anywhere but {@code createConnection} is one too (asyncio's
 * {@code connect_accepted_socket} and {@code start_tls} take no {@code local_addr}).
 */
public record ConnectionOptions(SSLContext ssl, String serverHostname, Double sslHandshakeTimeout,
        Double sslShutdownTimeout, InetSocketAddress localAddr) {

    /** asyncio's {@code constants.SSL_HANDSHAKE_TIMEOUT}, in seconds. */
    public static final double SSL_HANDSHAKE_TIMEOUT = 60.0;
    /** asyncio's {@code constants.SSL_SHUTDOWN_TIMEOUT}, in seconds. */
    public static final double SSL_SHUTDOWN_TIMEOUT = 30.0;

    private static final ConnectionOptions DEFAULTS = new ConnectionOptions(null, null, null, null);

    /** The TLS options alone, as before {@code local_addr} was one. */
    public ConnectionOptions(SSLContext ssl, String serverHostname, Double sslHandshakeTimeout, Double sslShutdownTimeout) {
        this(ssl, serverHostname, sslHandshakeTimeout, sslShutdownTimeout, null);
    }

    /** Plain TCP, nothing set. */
    public static ConnectionOptions defaults() {
        return DEFAULTS;
    }

    /** TLS with {@code context} and asyncio's defaults for the rest. */
    public static ConnectionOptions ssl(SSLContext context) {
        return DEFAULTS.withSsl(context);
    }

    public ConnectionOptions withSsl(SSLContext value) {
        return new ConnectionOptions(value, serverHostname, sslHandshakeTimeout, sslShutdownTimeout, localAddr);
    }

    public ConnectionOptions withServerHostname(String value) {
        return new ConnectionOptions(ssl, value, sslHandshakeTimeout, sslShutdownTimeout, localAddr);
    }

    public ConnectionOptions withSslHandshakeTimeout(double seconds) {
        return new ConnectionOptions(ssl, serverHostname, seconds, sslShutdownTimeout, localAddr);
    }

    public ConnectionOptions withSslShutdownTimeout(double seconds) {
        return new ConnectionOptions(ssl, serverHostname, sslHandshakeTimeout, seconds, localAddr);
    }

    /**
     * asyncio's {@code local_addr=(host, port)}: {@code host} an address literal or a name, resolved
     * when the connection is made; port 0 for any.
     */
    public ConnectionOptions withLocalAddr(String host, int port) {
        return new ConnectionOptions(ssl, serverHostname, sslHandshakeTimeout, sslShutdownTimeout,
                InetSocketAddress.createUnresolved(host, port));
    }
}
