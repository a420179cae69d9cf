package dev.loopkit.webconsole;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

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
        assertTrue(guard.refusal(new RequestGuard().token(), CONSOLE, CONSOLE).startsWith("refused: no valid"));
        assertTrue(guard.refusal(guard.token() + "x", null, CONSOLE).startsWith("refused: no valid"));
        assertTrue(guard.refusal("", null, CONSOLE).startsWith("refused: no valid"));
    }

    @Test
    public void anotherOriginIsRefusedEvenWithTheToken() {
        assertEquals("refused: the request comes from http://evil.example, not from the Web Console (" + CONSOLE + ")",
                guard.refusal(guard.token(), "http://evil.example", CONSOLE));
        assertTrue(guard.refusal(guard.token(), "http://127.0.0.1:8182", CONSOLE).startsWith("refused: the request comes from"));
    }

    @Test
    public void eachGuardHasATokenOfItsOwnTooLongToGuess() {
        assertNotEquals(guard.token(), new RequestGuard().token());
        assertEquals(43, guard.token().length()); // 256 random bits, base64url without padding
    }
}
