package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.testsupport.NoNewThreads;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/**
 * A loop's run when the blocked-loop checker's thread cannot start (the host's thread limit). The run
 * had been begun (running, owned by this thread) when the start failed, and nothing undid it: the
 * loop said it was running for good, refused every run and close, and its thread could run no other
 * loop (an outside review, at a cgroup's pids limit). The checker is a diagnostic: the loop runs
 * without it now, and says so.
 */
public class FirstRunWithoutACheckerThreadTest {

    @Test
    public void theLoopRunsUnwatchedAndIsNotLeftRunning() throws Exception {
        SelectorEventLoop loop = new SelectorEventLoop();
        try (NoNewThreads limit = NoNewThreads.join()) {
            awaitNoCheckerThread();
            AtomicReference<Object> ran = new AtomicReference<>();
            limit.during(() -> {
                try {
                    LoopFuture<String> done = loop.createFuture();
                    loop.callSoon(() -> done.setResult("ran"));
                    ran.set(loop.runUntilComplete(done));
                } catch (Throwable e) {
                    ran.set(e);
                }
            });
            assertEquals("ran", ran.get());
            assertFalse("the loop says it is running", loop.isRunning());
            LoopFuture<String> again = loop.createFuture();
            loop.callSoon(() -> again.setResult("again"));
            assertEquals("again", loop.runUntilComplete(again));
        } finally {
            loop.close();
        }
        assertTrue(loop.isClosed());
    }

    // The checker lingers a second after the last run of any loop: until it ends, no start is needed.
    private static void awaitNoCheckerThread() {
        assertTrue("the blocked-loop checker did not end", Leaks.await(() -> Leaks.threads("loopkit-blocked-loop-checker")
                .isEmpty(), 30));
    }
}
