package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * A wait that one caller cancels or lets time out ({@code asyncio.wait_for(proc.wait(), t)}) leaves later
 * {@code waitFor()} and {@code communicate()} calls the return code, as each of asyncio's waits has a
 * waiter of its own. They shared one future, and failed with the first caller's exception (an outside
 * review).
 */
@RunWith(Parameterized.class)
public class SubprocessWaitCancelledTest {

    @Parameters(name = "{0} loop")
    public static List<Object[]> loops() {
        return Watchers.everyLoop();
    }

    private static final SubprocessOptions QUIET = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
            .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
    private final Watchers.Loop loopKind;
    private BaseEventLoop loop;
    private volatile Thread loopThread;

    public SubprocessWaitCancelledTest(Watchers.Loop loopKind) {
        this.loopKind = loopKind;
    }

    @Before
    public void setUp() {
        loop = Watchers.loopWithTheDefaultWatcher(loopKind);
    }

    @After
    public void tearDown() {
        Watchers.resetAndClose(loop);
    }

    /** The outcome of {@code work} on the loop: its value, or "failed: " and the exception. */
    private String outcome(Supplier<? extends CompletionStage<?>> work) {
        CompletableFuture<String> result = new CompletableFuture<>();
        loop.callSoon(() -> loopThread = Thread.currentThread());
        loop.callSoon(() -> work.get().whenComplete((value, error) -> result.complete(error == null ? String.valueOf(value)
                : "failed: " + (error instanceof CompletionException && error.getCause() != null ? error.getCause() : error))));
        loop.callLater(10, () -> result.complete("no answer in 10 s"));
        return loop.runUntilComplete(result);
    }

    private Subprocess spawn(String script, SubprocessOptions options) {
        CompletableFuture<Subprocess> child = new CompletableFuture<>();
        loop.callSoon(() -> Subprocesses.createSubprocessExec(loop, List.of("/bin/sh", "-c", script), options, 1024)
                .whenComplete((p, e) -> {
                    if (e != null) {
                        child.completeExceptionally(e);
                    } else {
                        child.complete(p);
                    }
                }));
        return loop.runUntilComplete(child);
    }

    @Test
    public void aCancelledWaitLeavesALaterWaitTheReturnCode() {
        Subprocess child = spawn("sleep 0.3; exit 5", QUIET);
        outcome(() -> {
            child.waitFor().toCompletableFuture().cancel(true); // one caller stops waiting
            return CompletableFuture.completedFuture(null);
        });
        assertEquals("5", outcome(child::waitFor)); // another caller waits
    }

    @Test
    public void aTimedOutWaitLeavesCommunicateTheReturnCode() {
        Subprocess child = spawn("sleep 0.5; exit 5", SubprocessOptions.defaults());
        String timedOut = outcome(() -> child.waitFor().toCompletableFuture().orTimeout(100, TimeUnit.MILLISECONDS));
        assertTrue(timedOut, timedOut.startsWith("failed: " + TimeoutException.class.getName()));
        assertEquals("5", outcome(() -> child.communicate(null).thenCompose(output -> child.waitFor())));
    }

    /**
     * asyncio's timeout pattern: {@code wait_for(proc.communicate(), t)}, then kill, then communicate
     * again. The cancel reaches the reads of the first, and the second gets the rest and the return
     * code. The first's reads stayed the readers' waiters, and every later communicate (or read) was
     * refused: "read() called while another coroutine is already waiting" (an outside review).
     */
    @Test
    public void aCommunicateThatTimedOutLeavesTheNextOneTheOutputAndTheReturnCode() {
        Subprocess child = spawn("echo partial; exec sleep 30", SubprocessOptions.defaults());
        String timedOut = outcome(() -> child.communicate(null).toCompletableFuture().orTimeout(300, TimeUnit.MILLISECONDS));
        assertTrue(timedOut, timedOut.startsWith("failed: " + TimeoutException.class.getName()));
        assertEquals("-9", outcome(() -> {
            child.kill();
            return child.communicate(null).thenCompose(output -> child.waitFor());
        }));
        assertEquals("a read after it", "[]", outcome(() -> child.stdout().read(-1).thenApply(java.util.Arrays::toString)));
    }

    /**
     * {@code communicate()} is a loop future, as every other stage the loop hands out: the caller's
     * timeout ({@code orTimeout}) completes it from the JDK's timer thread, and what the caller chains
     * to it runs on the loop, as {@code wait_for(proc.communicate(), t)}'s handler does in asyncio. It was
     * a plain {@code CompletableFuture}: the caller's {@code kill()} and next {@code communicate()},
     * which are loop-thread only, ran on the timer thread, and so did the cancel of the reads (an
     * outside review).
     */
    @Test
    public void aTimedOutCommunicateTellsItsCallerOnTheLoop() {
        Subprocess child = spawn("exec sleep 30", SubprocessOptions.defaults());
        String thread = outcome(() -> child.communicate(null).toCompletableFuture().orTimeout(200, TimeUnit.MILLISECONDS)
                .handle((output, error) -> {
                    child.kill();
                    return loop.isRunning() && Thread.currentThread() == loopThread ? "the loop thread"
                            : Thread.currentThread().getName();
                }));
        assertEquals("the loop thread", thread);
        assertEquals("-9", outcome(() -> child.communicate(null).thenCompose(output -> child.waitFor())));
    }

    /**
     * A spawn cancelled, or timed out, before it gave the caller its Subprocess kills and reaps the child,
     * as asyncio's {@code _make_subprocess_transport} does ({@code transp.close()}): the stage returned was
     * a derived one, whose cancel never reached the spawn, and the child ran on out of anyone's reach
     * (an outside review). The low-level subprocessExec did it already.
     */
    @Test
    public void aSpawnCancelledOrTimedOutBeforeItGaveItsSubprocessLeavesNoChild() {
        for (boolean timeout : new boolean[] {false, true}) {
            String marker = "30." + System.nanoTime() % 100_000;
            outcome(() -> {
                CompletableFuture<Subprocess> spawning = Subprocesses.createSubprocessExec(loop, List.of("/bin/sleep", marker),
                        QUIET, 1024).toCompletableFuture();
                if (timeout) {
                    // what orTimeout does when it fires, here before the spawn can complete
                    spawning.completeExceptionally(new TimeoutException());
                } else {
                    spawning.cancel(false);
                }
                return spawning.handle((p, e) -> null);
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<ProcessHandle> left;
            do {
                outcome(() -> {
                    CompletableFuture<Void> turn = new CompletableFuture<>();
                    loop.callLater(0.05, () -> turn.complete(null));
                    return turn;
                });
                left = ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                        .filter(p -> p.info().arguments().map(args -> List.of(args).contains(marker)).orElse(false)).toList();
            } while (!left.isEmpty() && System.nanoTime() < deadline);
            assertEquals((timeout ? "timed out" : "cancelled") + ": children left", List.of(), left);
        }
    }
}
