package dev.loopkit.loop.testing;

import dev.loopkit.api.TimerHandle;
import dev.loopkit.loop.core.BaseEventLoop;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.After;
import org.junit.Before;

/**
 * A fresh loop per test and the leak check after it: a test suite for loop behaviour extends this
 * and says how to make the loop.
 */
public abstract class LoopTestSupport {

    /** How long a test may wait for anything before it fails instead of hanging. */
    protected static final double DEADLINE_SECONDS = 20;

    protected BaseEventLoop loop;
    protected Map<Integer, String> fdsBefore;

    /** A new loop of the implementation under test. */
    protected abstract BaseEventLoop newLoop();

    @Before
    public void createLoop() {
        fdsBefore = Leaks.openFds();
        loop = newLoop();
    }

    @After
    public void closeLoop() {
        if (!loop.isClosed()) {
            loop.close();
        }
    }

    /** Runs the loop until {@code done} completes, failing after the deadline instead of hanging. */
    protected <T> T runFor(CompletionStage<T> done) {
        return runFor(loop, done);
    }

    /** {@link #runFor(CompletionStage)} for tests that keep a loop of their own (property tests, one loop per property). */
    public static <T> T runFor(BaseEventLoop loop, CompletionStage<T> done) {
        CompletableFuture<T> result = done.toCompletableFuture();
        TimerHandle deadline = loop.callLater(DEADLINE_SECONDS, () -> result.completeExceptionally(
                new AssertionError("timed out after " + DEADLINE_SECONDS + " s")));
        try {
            return loop.runUntilComplete(result);
        } finally {
            deadline.cancel();
        }
    }
}
