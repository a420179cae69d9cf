package dev.loopkit.policy;

import static org.junit.Assert.assertEquals;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/**
 * asyncio says "There is no current event loop in thread %r." % threading.current_thread().name; %r is
 * Python's repr of the name, which quotes a name holding a single quote with double quotes and escapes
 * control characters. Before, the name was wrapped in single quotes whatever it held.
 */
public class ThreadNameReprTest {

    private static String messageIn(String threadName) throws InterruptedException {
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        AtomicReference<String> message = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                policy.getEventLoop();
            } catch (IllegalStateException e) {
                message.set(e.getMessage());
            }
        }, threadName);
        worker.start();
        worker.join();
        return message.get();
    }

    @Test
    public void aNameWithAQuoteIsQuotedAsPythonsReprQuotesIt() throws Exception {
        // repr("Bob's worker") == "\"Bob's worker\""
        assertEquals("There is no current event loop in thread \"Bob's worker\".", messageIn("Bob's worker"));
    }

    @Test
    public void aNameWithANewlineIsEscapedAsPythonsReprEscapesIt() throws Exception {
        // repr("a\nb") == "'a\\nb'"
        assertEquals("There is no current event loop in thread 'a\\nb'.", messageIn("a\nb"));
    }
}
