package dev.loopkit.webconsole;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.Test;

/** What {@link RequestGuard} lets through: the page's own token, from the console's own origin. */
public class RequestGuardTest {

    private static final String CONSOLE = "http://127.0.0.1:8181";
    private final RequestGuard guard = new RequestGuard();

    @Test
    public void thePagesTokenFromTheConsolesOriginOrWithoutAnOriginPasses() {
        assertNull(guard.refusal(guard.token(), CONSOLE, CONSOLE));
        assertNull(guard.refusal(guard.token(), null, CONSOLE));
    }

    @Test
    public void noTokenOrAnotherOneIsRefused() {
        assertEquals("refused: no valid X-Loopkit-Token header (the Web Console's page sends it)",
                guard.refusal(null, CONSOLE, CONSOLE));
        assertEquals("refused: the page's X-Loopkit-Token is not the plugin's (a page from before the plugin was installed"
                + " again?): reload the page", guard.refusal(new RequestGuard().token(), CONSOLE, CONSOLE));
        assertTrue(guard.refusal(guard.token() + "x", null, CONSOLE).startsWith("refused: the page's"));
        assertTrue(guard.refusal("", null, CONSOLE).startsWith("refused: no valid"));
    }

    @Test
    public void anotherOriginIsRefusedEvenWithTheToken() {
        assertEquals("refused: the request comes from http://evil.example, not from the Web Console (" + CONSOLE + ")",
                guard.refusal(guard.token(), "http://evil.example", CONSOLE));
        assertTrue(guard.refusal(guard.token(), "http://127.0.0.1:8182", CONSOLE).startsWith("refused: the request comes from"));
    }

    /**
     * Every instance of the plugin (SCR makes a new one when the platform bundle restarts) takes the token
     * kept in its bundle's data area, so a page opened before still works; the file is its owner's only.
     */
    @Test
    public void aTokenKeptInAFileIsSharedByEveryGuardMadeFromIt() throws Exception {
        Path directory = Files.createTempDirectory("guard");
        File file = directory.resolve("change-token").toFile();
        try {
            RequestGuard first = RequestGuard.keptIn(file);
            RequestGuard second = RequestGuard.keptIn(file);
            assertEquals(first.token(), second.token());
            assertNull(second.refusal(first.token(), CONSOLE, CONSOLE));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.toPath())));
            Files.writeString(file.toPath(), "damaged");
            assertNotEquals("a damaged file gets a new token", first.token(), RequestGuard.keptIn(file).token());
            assertEquals(43, RequestGuard.keptIn(null).token().length());
        } finally {
            Files.deleteIfExists(file.toPath());
            Files.delete(directory);
        }
    }

    @Test
    public void eachGuardHasATokenOfItsOwnTooLongToGuess() {
        assertNotEquals(guard.token(), new RequestGuard().token());
        assertEquals(43, guard.token().length()); // 256 random bits, base64url without padding
    }
}
