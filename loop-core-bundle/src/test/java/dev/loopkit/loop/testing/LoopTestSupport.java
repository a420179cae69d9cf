package dev.loopkit.loop.testing;

import static org.junit.Assert.fail;

import dev.loopkit.api.TimerHandle;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Posix;
import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;

/**
 * A fresh loop per test and the leak check after it: a test suite for loop behaviour extends this
 * and says how to make the loop.
 */
public abstract class LoopTestSupport {

    /** How long a test may wait for anything before it fails instead of hanging. */
    protected static final double DEADLINE_SECONDS = 20;
    /** How long a test waits for a timer that is due (nearly) at once before it calls the loop hung. */
    public static final long HANG_GUARD_SECONDS = 10;

    protected BaseEventLoop loop;
    protected Map<Integer, String> fdsBefore;

    private final UnexpectedErrors unexpectedErrors = new UnexpectedErrors();

    /** A new loop of the implementation under test. */
    protected abstract BaseEventLoop newLoop();

    /**
     * Whether what reaches the loop's exception handler fails the test (unless the test installs a
     * handler of its own); off by default, for suites that test the handler itself.
     */
    protected boolean unexpectedErrorsFail() {
        return false;
    }

    /**
     * The JDK opens descriptors of its own the first time a kind of channel is used, and keeps them
     * (on JDK 25 a socket stays open after the first channels of a JVM), and so does the first native
     * call (jnr-ffi unpacks its stub into a temporary file, whose random name opens /dev/random and
     * /dev/urandom for good): they are not the loop's, so they are opened before any test counts descriptors.
     */
    @BeforeClass
    public static void letTheJdkOpenItsOwnDescriptors() throws IOException {
        DatagramChannel.open().close();
        SocketChannel.open().close();
        Pipe pipe = Pipe.open();
        pipe.source().close();
        pipe.sink().close();
        if (Posix.isAvailable()) {
            Posix.get();
        }
    }

    @Before
    public void createLoop() {
        fdsBefore = Leaks.openFds();
        loop = newLoop();
        if (unexpectedErrorsFail()) {
            unexpectedErrors.install(loop);
        }
    }

    @After
    public void closeLoop() {
        try {
            if (unexpectedErrorsFail()) {
                unexpectedErrors.assertNone(loop);
            }
        } finally {
            if (!loop.isClosed()) {
                loop.close();
            }
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

    /**
     * Runs {@code loop} until {@code done}; fails with "hung: ..." if that takes longer than
     * {@link #HANG_GUARD_SECONDS}. Unlike {@link #runFor}, the guard is not a timer of the loop under
     * test: the timeout completes {@code done} from another thread, which wakes any loop whose
     * wake-up works, however broken its timers are.
     */
    public static void runGuarded(BaseEventLoop loop, CompletableFuture<Void> done, String what) {
        try {
            loop.runUntilComplete(done.orTimeout(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
        } catch (RuntimeException failed) {
            for (Throwable cause = failed; cause != null; cause = cause.getCause()) {
                if (cause instanceof TimeoutException) {
                    throw new AssertionError("hung: " + what + " did not fire within " + HANG_GUARD_SECONDS + " s");
                }
            }
            throw failed;
        }
    }

    /** Waits for a start signal (10 s at most, then fails). */
    protected static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                fail("start signal never came");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What {@code future} ends with (its result, or its exception), or a "still pending" line after
     * {@code guardSeconds} of the loop's time: a test of something that must not hang fails instead.
     */
    protected CompletableFuture<Object> outcomeOf(CompletionStage<?> future, double guardSeconds) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        future.whenComplete((r, e) -> outcome.complete(e != null ? e : r));
        loop.callLater(guardSeconds, () -> outcome.complete("still pending after " + guardSeconds + " s"));
        return outcome;
    }

    /**
     * What asking {@code call} ends with, asked from this thread (the loop idle) or, with
     * {@code onTheLoop}, in a callback on the loop: its stage's failure (unwrapped) or result, a line
     * saying so when the call threw itself instead of failing a stage, or "still pending" after
     * {@code guardSeconds}. User code that throws an Error must fail the stage either way.
     */
    protected Object askedFrom(boolean onTheLoop, Supplier<? extends CompletionStage<?>> call, double guardSeconds) {
        return askedFrom(loop, onTheLoop, call, guardSeconds);
    }

    /** {@link #askedFrom(boolean, Supplier, double)} on {@code loop}. */
    public static Object askedFrom(BaseEventLoop loop, boolean onTheLoop, Supplier<? extends CompletionStage<?>> call,
            double guardSeconds) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Runnable ask = () -> {
            try {
                call.get().whenComplete((r, e) -> outcome.complete(
                        e instanceof CompletionException && e.getCause() != null ? e.getCause() : e != null ? e : r));
            } catch (Throwable thrown) {
                outcome.complete("thrown by the call itself, no stage: " + thrown);
            }
        };
        if (onTheLoop) {
            loop.callSoon(ask);
        } else {
            ask.run();
        }
        loop.callLater(guardSeconds, () -> outcome.complete("still pending after " + guardSeconds + " s"));
        return runFor(loop, outcome);
    }

    /** Throws {@code bug}, an Error or a RuntimeException: what a user's callback throws in the tests of both. */
    public static RuntimeException thrown(Throwable bug) {
        if (bug instanceof Error error) {
            throw error;
        }
        throw (RuntimeException) bug;
    }
}
