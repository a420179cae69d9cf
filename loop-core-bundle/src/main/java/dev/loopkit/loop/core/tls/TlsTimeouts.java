package dev.loopkit.loop.core.tls;

import dev.loopkit.api.ConnectionOptions;

/** The two timeouts of a TLS connection, in seconds, checked and defaulted as asyncio's {@code SSLProtocol} does. */
record TlsTimeouts(double handshake, double shutdown) {

    /**
     * {@code null} means asyncio's default (60 s, 30 s).
     *
     * @throws IllegalArgumentException "ssl_handshake_timeout should be a positive number, got 0.0"
     */
    static TlsTimeouts of(Double handshake, Double shutdown) {
        return new TlsTimeouts(positive("ssl_handshake_timeout", handshake, ConnectionOptions.SSL_HANDSHAKE_TIMEOUT),
                positive("ssl_shutdown_timeout", shutdown, ConnectionOptions.SSL_SHUTDOWN_TIMEOUT));
    }

    private static double positive(String name, Double value, double byDefault) {
        if (value == null) {
            return byDefault;
        }
        if (!(value > 0)) {
            throw new IllegalArgumentException(name + " should be a positive number, got " + value);
        }
        return value;
    }
}
