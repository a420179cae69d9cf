package dev.loopkit.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The Web Console's password: made once, kept for its owner only, printed once, handed on hashed. */
public class WebConsoleTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    /**
     * A port free now, not the distribution's 8181: a platform started with bin/loopkit beside the tests
     * holds that one, and every case then said the port was in use (a run here, with a review's platform up).
     */
    private static final String PORT = freePort();

    private static String freePort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Integer.toString(probe.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> config() {
        Map<String, String> config = new HashMap<>();
        config.put(WebConsole.HOST_PROPERTY, "127.0.0.1");
        config.put(WebConsole.PORT_PROPERTY, PORT);
        return config;
    }

    @Test
    public void theFirstStartMakesAPasswordForItsOwnerPrintsItOnceAndHandsOnItsHash() throws Exception {
        Path data = folder.getRoot().toPath().resolve("data");
        Map<String, String> first = config();
        WebConsole.configure(first, data, out);
        Path file = data.resolve(WebConsole.PASSWORD_FILE);
        String password = Files.readString(file).strip();
        assertEquals(24, password.length());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("loopkit: the Web Console is at http://127.0.0.1:" + PORT + "/system/console/loops (user admin, password "
                + password + ", kept in " + file + ")" + System.lineSeparator(), printed.toString(StandardCharsets.UTF_8));
        assertEquals(WebConsole.hashed(password), first.get(WebConsole.PASSWORD_PROPERTY));
        assertFalse(first.get(WebConsole.PASSWORD_PROPERTY).contains(password));

        printed.reset();
        Map<String, String> second = config();
        WebConsole.configure(second, data, out);
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
        assertEquals(first.get(WebConsole.PASSWORD_PROPERTY), second.get(WebConsole.PASSWORD_PROPERTY));
    }

    /**
     * A password file the platform's user cannot read (root's, mode 600, written with sudo) stopped the
     * whole platform with "loopkit: java.nio.file.AccessDeniedException" (an outside review). The
     * console stays off, with what to do; the rest starts. (A directory in its place stands in for the
     * unreadable file: the tests run as root, who reads any file.)
     */
    @Test
    public void aPasswordFileThatCannotBeReadLeavesTheConsoleOffAndSaysHowToMendIt() throws Exception {
        Path data = folder.newFolder("data").toPath();
        Path file = Files.createDirectory(data.resolve(WebConsole.PASSWORD_FILE));
        Map<String, String> config = config();
        assertFalse("the console to start", WebConsole.configure(config, data, out));
        assertFalse(config.containsKey(WebConsole.PASSWORD_PROPERTY));
        String said = printed.toString(StandardCharsets.UTF_8);
        assertTrue(said, said.startsWith("loopkit: the Web Console stays off: cannot read " + file + " ("));
        assertTrue(said, said.contains("make it readable by the user that runs Loopkit, or delete it and a new password is made"));
    }

    /**
     * {@code -Dorg.osgi.service.http.port=80a} printed the console at {@code http://127.0.0.1:80a/...}
     * while Felix HTTP, unable to read it, served on 8080 (an outside review). A port that is not one
     * leaves the console off, saying so; the rest of the platform starts.
     */
    @Test
    public void aPortThatIsNotAPortNumberLeavesTheConsoleOffAndSaysSo() throws Exception {
        for (String port : new String[] {"80a", "", "0", "-1", "65536"}) {
            printed.reset();
            Path data = folder.newFolder().toPath();
            Map<String, String> config = config();
            config.put(WebConsole.PORT_PROPERTY, port);
            assertFalse("the console to start on port '" + port + "'", WebConsole.configure(config, data, out));
            assertFalse(config.containsKey(WebConsole.PASSWORD_PROPERTY));
            assertEquals("loopkit: the Web Console stays off: " + WebConsole.PORT_PROPERTY + "=" + port
                    + " is not a port number from 1 to 65535" + System.lineSeparator(), printed.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    public void aPasswordTheUserWroteIsTakenAndAHashAsItIs() throws Exception {
        Path data = folder.newFolder("data").toPath();
        Files.writeString(data.resolve(WebConsole.PASSWORD_FILE), "correct horse\n");
        Map<String, String> config = config();
        WebConsole.configure(config, data, out);
        // SHA-256 of "correct horse", base64 (sha256sum | base64): what the Web Console computes for {sha-256} without salt
        assertEquals("{sha-256}" + "QQTTb42iwlQ0n4WDZ5Pr4CngyVcGOjTJHC6SAxh7VjE=", config.get(WebConsole.PASSWORD_PROPERTY));
        String hash = "{sha-256}QQTTb42iwlQ0n4WDZ5Pr4CngyVcGOjTJHC6SAxh7VjE=";
        assertEquals("a hash is taken as it is", hash, WebConsole.hashed(hash));
        // a password that begins with "{" is a password: passed on as a hash, it let nobody in (an outside review)
        for (String password : new String[] {"{secret}pass", "{sha-256}abc", "{}", "{sha-256}"}) {
            assertEquals(password, "{sha-256}", WebConsole.hashed(password).substring(0, 9));
            assertTrue(password, !WebConsole.hashed(password).equals(password));
        }
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
    }

    /**
     * An empty password file leaves the console off, saying what to do, and the rest of the platform
     * starts, as an unreadable one does; it stopped the whole platform with an exception's class name
     * before (an outside review of the admin surface).
     */
    @Test
    public void anEmptyPasswordFileLeavesTheConsoleOffAndSaysHowToMendIt() throws Exception {
        Path data = folder.newFolder("data").toPath();
        Files.writeString(data.resolve(WebConsole.PASSWORD_FILE), " \n");
        Map<String, String> config = config();
        assertFalse("the console to start", WebConsole.configure(config, data, out));
        assertFalse(config.containsKey(WebConsole.PASSWORD_PROPERTY));
        assertEquals("loopkit: the Web Console stays off: " + data.resolve(WebConsole.PASSWORD_FILE)
                + " is empty: write a password there, or delete it and a new one is made" + System.lineSeparator(),
                printed.toString(StandardCharsets.UTF_8));
    }

    /**
     * The console's port taken by another program: the console stays off, saying so, and the rest
     * starts. Before, the first start printed the console's URL with its new password, the URL of the
     * other program, and Felix HTTP logged 30 lines of BindException (an outside review).
     */
    @Test
    public void aPortInUseLeavesTheConsoleOffAndSaysSo() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path data = folder.newFolder("data").toPath();
            Map<String, String> config = config();
            config.put(WebConsole.PORT_PROPERTY, Integer.toString(other.getLocalPort()));
            assertFalse("the console to start", WebConsole.configure(config, data, out));
            assertFalse(config.containsKey(WebConsole.PASSWORD_PROPERTY));
            assertFalse("no password made for a console that cannot start", Files.exists(data.resolve(WebConsole.PASSWORD_FILE)));
            assertEquals("loopkit: the Web Console stays off: 127.0.0.1:" + other.getLocalPort() + " is in use by another"
                    + " program: stop it, or give the console another port (-D" + WebConsole.PORT_PROPERTY
                    + "=<port> in LOOPKIT_JAVA_OPTS)" + System.lineSeparator(), printed.toString(StandardCharsets.UTF_8));
        }
    }
}
