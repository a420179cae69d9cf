package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildHandler;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.posix.Posix;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * The threaded watcher where pidfds are off ({@code LOOPKIT_PIDFD=off}: old kernels, containers that
 * forbid {@code pidfd_open}): surefire's execution {@code without-pidfds} runs this class so.
 */
public class ThreadedWatcherWithoutPidfdsTest {

    private static final Posix POSIX = Posix.get();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    /**
     * Closing the threaded watcher while a child runs returns at once, as asyncio's close() does: it
     * waited 5 s for a thread that only the child's exit can end (an outside review).
     */
    @Test
    public void closingTheThreadedWatcherWithoutPidfdsWhileAChildRuns() throws Exception {
        assumeTrue("run with LOOPKIT_PIDFD=off", !POSIX.pidfdSupported());
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        BaseEventLoop loop = Watchers.loopWith(threaded, cleanup);
        long[] child = registeredWaitingChild(threaded, loop, 0, (pid, returncode) -> { });
        long start = System.nanoTime();
        threaded.close();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue("close() took " + millis + " ms", millis < 1000);
        // its thread cannot be woken without a pidfd: it ends once the child it waits for exits
        POSIX.close((int) child[1]);
        assertTrue("waiting threads left after the child exited: " + Leaks.threads("loopkit-waitpid-"),
                Leaks.await(() -> Leaks.threads("loopkit-waitpid-").isEmpty(), 10));
        POSIX.waitpid(child[0], false); // closed, the watcher left it to its parent
    }

    /**
     * Without pidfds: Asyncio.setChildWatcher away from the threaded watcher while one of its children
     * runs. The child moves to the new watcher and the old one is closed (as asyncio closes it); its
     * thread still waits in waitid for the child it no longer holds. Run with LOOPKIT_PIDFD=off.
     */
    @Test
    public void setChildWatcherAwayFromTheThreadedWatcherWithoutPidfds() throws Exception {
        assumeTrue("run with LOOPKIT_PIDFD=off", !POSIX.pidfdSupported());
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        BaseEventLoop loop = Watchers.loopWith(threaded, cleanup);
        CompletableFuture<Integer> code = new CompletableFuture<>();
        long[] child = registeredWaitingChild(threaded, loop, 4, (pid, returncode) -> code.complete(returncode));
        MultiLoopChildWatcher next = new MultiLoopChildWatcher();
        cleanup.add(next::close);
        long millis = Watchers.runOn(loop, () -> { // from a loop callback, as a program would
            long start = System.nanoTime();
            Asyncio.setChildWatcher(next);
            return CompletableFuture.completedFuture((System.nanoTime() - start) / 1_000_000);
        });
        next.attachLoop(loop);
        POSIX.close((int) child[1]);
        Integer got = Watchers.runOn(loop, () -> code.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null));
        assertEquals(Integer.valueOf(4), got);
        assertTrue("setChildWatcher blocked the loop for " + millis + " ms", millis < 1000);
    }

    // Watchers.waitingChild registered with `threaded` from `loop`, as a spawn would register it.
    private static long[] registeredWaitingChild(ThreadedChildWatcher threaded, BaseEventLoop loop, int code, ChildHandler handler)
            throws IOException {
        long[] child = Watchers.waitingChild(code);
        Watchers.runOn(loop, () -> {
            threaded.addChildHandler(child[0], handler);
            return CompletableFuture.completedFuture(null);
        });
        return child;
    }
}
