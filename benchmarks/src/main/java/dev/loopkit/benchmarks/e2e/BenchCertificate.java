package dev.loopkit.benchmarks.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS workloads' self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made at run
 * time by the JDK's {@code keytool} (EC P-256, as the TLS contract tests make theirs) into a PKCS#12
 * key store, and exported as PEM ({@code cert.pem}, {@code key.pem}) for the Python peers, whose
 * {@code ssl} module reads no PKCS#12. Every server of a run loads the same key.
 */
public final class BenchCertificate {

    /** The key store's file name inside the directory {@link #make} fills. */
    public static final String KEY_STORE = "bench.p12";
    public static final String CERT_PEM = "cert.pem";
    public static final String KEY_PEM = "key.pem";
    /** TLS 1.3 only: the workload; every client refuses anything older too. */
    public static final String PROTOCOL = "TLSv1.3";

    private static final char[] PASSWORD = "loopkit-bench".toCharArray();
    private static final String ALIAS = "bench";

    private BenchCertificate() {
    }

    /** Makes a new key pair and certificate in {@code dir} (created if needed); returns the key store's path. */
    public static Path make(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path store = dir.resolve(KEY_STORE);
        Files.deleteIfExists(store);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore keys = load(store);
        Certificate certificate = keys.getCertificate(ALIAS);
        Key key = keys.getKey(ALIAS, PASSWORD);
        Files.writeString(dir.resolve(CERT_PEM), pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(dir.resolve(KEY_PEM), pem("PRIVATE KEY", key.getEncoded())); // PKCS#8, which Python's ssl reads
        return store;
    }

    /** The key store's keys, for a server ({@code SslContextBuilder.forServer} takes them as they are). */
    public static KeyManagerFactory keyManagers(Path store) throws IOException, GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(store), PASSWORD);
        return keys;
    }

    /** A TLS 1.3 server context (the JDK's provider) holding the key. */
    public static SSLContext serverContext(Path store) throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance(PROTOCOL);
        context.init(keyManagers(store).getKeyManagers(), null, null);
        return context;
    }

    /** A TLS 1.3 client context that trusts this certificate and nothing else. */
    public static SSLContext clientContext(Path store) throws IOException, GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(store));
        SSLContext context = SSLContext.getInstance(PROTOCOL);
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static KeyStore load(Path store) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        return keys;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
