package dev.loopkit.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The Felix Web Console of a running platform: where it listens and its password. There is no
 * well-known password (the console's own default, admin/admin, is what every scanner tries): the
 * first start makes a random one, stores it in {@value #PASSWORD_FILE} of the data folder (readable
 * by its owner only) and prints it once; the user may write their own there instead (or its hash,
 * {@code {sha-256}<base64>}). It reaches the console, hashed, as framework property
 * {@value #PASSWORD_PROPERTY}, the console's default, which a
 * {@code password} in ConfigAdmin configuration {@code org.apache.felix.webconsole.internal.servlet.OsgiManager}
 * overrides.
 */
final class WebConsole {

    static final String PASSWORD_FILE = "webconsole.password";
    static final String PASSWORD_PROPERTY = "felix.webconsole.password";
    static final String USER_PROPERTY = "felix.webconsole.username";
    /** Felix HTTP's host and port; a system property of the same name (LOOPKIT_JAVA_OPTS) overrides conf/config.properties. */
    static final String HOST_PROPERTY = "org.apache.felix.http.host";
    static final String PORT_PROPERTY = "org.osgi.service.http.port";
    private static final int PASSWORD_BYTES = 18; // 144 random bits, 24 characters

    private WebConsole() {
    }

    /**
     * Puts the password, and the host and port given as system properties, into the framework's
     * configuration; {@code false}, with what to do printed, when the console must stay off.
     */
    static boolean configure(Map<String, String> config, Path data, PrintStream out) throws IOException {
        for (String key : new String[] {HOST_PROPERTY, PORT_PROPERTY}) {
            String override = System.getProperty(key);
            if (override != null) {
                config.put(key, override);
            }
        }
        String port = config.get(PORT_PROPERTY);
        if (port != null && !isPortNumber(port)) {
            // Felix HTTP falls back to 8080 on a port it cannot read, and the URL printed named the bad one
            out.println("loopkit: the Web Console stays off: " + PORT_PROPERTY + "=" + port + " is not a port number from 1 to 65535");
            return false;
        }
        String taken = taken(config);
        if (taken != null) {
            // Felix HTTP would log 30 lines of BindException, and the URL printed with a new password
            // would lead to the program that holds the port
            out.println("loopkit: the Web Console stays off: " + taken + " is in use by another program: stop it, or give"
                    + " the console another port (-D" + PORT_PROPERTY + "=<port> in LOOPKIT_JAVA_OPTS)");
            return false;
        }
        Path file = data.resolve(PASSWORD_FILE);
        String password;
        try {
            password = readPassword(file);
        } catch (IOException unreadable) {
            // Never a console without its password: off, and the rest of the platform starts (a file the
            // platform's user cannot read stopped the whole platform with an AccessDeniedException)
            out.println("loopkit: the Web Console stays off: cannot read " + file + " (" + unreadable
                    + "): make it readable by the user that runs Loopkit, or delete it and a new password is made");
            return false;
        }
        boolean made = password == null;
        if (made) {
            password = createPassword(file); // or the one another start made a moment ago
        }
        if (password.isEmpty()) {
            out.println("loopkit: the Web Console stays off: " + file + " is empty: write a password there, or delete"
                    + " it and a new one is made");
            return false;
        }
        if (made) {
            out.println("loopkit: the Web Console is at " + url(config) + " (user "
                    + config.getOrDefault(USER_PROPERTY, "admin") + ", password " + password + ", kept in " + file + ")");
        }
        config.put(PASSWORD_PROPERTY, hashed(password));
        return true;
    }

    /**
     * The password as the console takes a hashed one ({@code {sha-256}} and the base64 of the digest):
     * framework properties are on view (the Web Console's own "Configuration Status" lists them), the
     * password itself is not. A file that holds such a hash already is passed on as it is: a digest the
     * JDK knows, and the base64 of one of its length. Any other text is a password, braces or not: one
     * that began with "{" was passed on as a hash, and no password opened the console (an outside review).
     */
    static String hashed(String password) {
        if (isHash(password)) {
            return password;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return "{sha-256}" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    // "{algorithm}base64 of the digest", as Felix's Web Console reads a hashed password
    private static boolean isHash(String text) {
        int close = text.indexOf('}');
        if (!text.startsWith("{") || close < 2) {
            return false;
        }
        try {
            int length = MessageDigest.getInstance(text.substring(1, close)).getDigestLength();
            return Base64.getDecoder().decode(text.substring(close + 1)).length == length;
        } catch (NoSuchAlgorithmException | IllegalArgumentException notAHash) {
            return false;
        }
    }

    private static boolean isPortNumber(String port) {
        try {
            int number = Integer.parseInt(port);
            return number >= 1 && number <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * The console's address, {@code host:port}, when another program listens there; {@code null} when it
     * is free (a bind of its own, closed at once, tells: Felix HTTP binds a moment later).
     */
    private static String taken(Map<String, String> config) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as Jetty binds: a port left in TIME_WAIT is free
            probe.bind(new InetSocketAddress(host(config), Integer.parseInt(port(config))));
            return null;
        } catch (BindException inUse) {
            return host(config) + ":" + port(config);
        } catch (IOException other) {
            return null; // an address this host cannot bind: Felix HTTP says why
        }
    }

    static String url(Map<String, String> config) {
        return "http://" + host(config) + ":" + port(config) + "/system/console/loops";
    }

    // Felix HTTP's defaults where the configuration gives none
    private static String host(Map<String, String> config) {
        return config.getOrDefault(HOST_PROPERTY, "127.0.0.1");
    }

    private static String port(Map<String, String> config) {
        return config.getOrDefault(PORT_PROPERTY, "8080");
    }

    private static String readPassword(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    private static String createPassword(Path file) throws IOException {
        byte[] random = new byte[PASSWORD_BYTES];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createDirectories(file.getParent());
        try {
            // created readable by its owner only: never a moment with the password readable by others
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system
        } catch (FileAlreadyExistsException e) {
            return readPassword(file); // another start made it a moment ago
        }
        Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
        return password;
    }
}
