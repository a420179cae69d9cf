package dev.loopkit.loop.core.tls;

import java.security.cert.CertificateException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/** What asyncio's TLS layer says: its certificate errors, and {@code cipher()}'s triple. */
final class TlsErrors {

    private static final Pattern KEY_BITS = Pattern.compile("_(\\d{3})_");

    private TlsErrors() {
    }

    /** Whether the engine refused the peer's certificate (asyncio's {@code ssl.CertificateError}). */
    static boolean isCertificateFailure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A certificate failure in OpenSSL's words, naming the host it was checked for: "[SSL:
     * CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid
     * for 'host'. (the JDK's reason)" ("IP address mismatch" for an address); other handshake errors as the engine gave them.
     */
    static SSLException describe(SSLException error, String serverHostname) {
        if (!isCertificateFailure(error)) {
            return error;
        }
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String reason = String.valueOf(root.getMessage());
        String lower = reason.toLowerCase(Locale.ROOT);
        boolean hostMismatch = lower.contains("subject alternative") || lower.contains("no name matching");
        String host = serverHostname == null ? "" : serverHostname;
        String message = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                + (hostMismatch ? (isAddress(host) ? "IP address" : "Hostname") + " mismatch, certificate is not valid for '"
                        + host + "'. (" + reason + ")"
                        : reason + " (server_hostname '" + host + "')");
        SSLHandshakeException described = new SSLHandshakeException(message);
        described.initCause(error);
        return described;
    }

    // OpenSSL says "IP address mismatch" for a name that is an IPv4 or IPv6 literal ("123" and "1.2.3" are names to it)
    private static boolean isAddress(String host) {
        return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /**
     * asyncio's {@code cipher()}: the suite, the protocol version and the secret bits (from the suite's
     * name: 128 or 256 for AES, 256 for ChaCha20; 0 when the name does not say).
     */
    static List<Object> cipher(SSLSession session) {
        String suite = session.getCipherSuite();
        int bits = 0;
        Matcher keyBits = KEY_BITS.matcher(suite + "_");
        if (keyBits.find()) {
            bits = Integer.parseInt(keyBits.group(1));
        } else if (suite.contains("CHACHA20")) {
            bits = 256;
        }
        return List.of(suite, session.getProtocol(), bits);
    }
}
