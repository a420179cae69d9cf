package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.After;
import org.junit.Test;

/**
 * Two safe watchers attached to one loop by hand: the loop has one SIGCHLD handler, the second's. The
 * first said it was active all the same (asyncio's does too), so a spawn went through it and its exit
 * never came (an outside review). It says now that it is not, and why, and a spawn through it is refused
 * before any child is made.
 */
public class TwoSafeWatchersOnOneLoopTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void theWatcherWhoseLoopAnotherTookIsInactiveAndSaysWhy() {
        SafeChildWatcher first = new SafeChildWatcher();
        BaseEventLoop loop = Watchers.loopWith(first, cleanup);
        SafeChildWatcher second = new SafeChildWatcher();
        cleanup.add(second::close);
        second.attachLoop(loop);
        assertTrue("the second is active", Watchers.runOn(loop, () -> CompletableFuture.completedFuture(second.isActive())));
        assertFalse("the first is active", Watchers.runOn(loop, () -> CompletableFuture.completedFuture(first.isActive())));
        assertEquals("another child watcher attached to its loop " + loop + " took the loop's SIGCHLD handler", first.inactiveReason());
        long childrenBefore = ProcessHandle.current().children().count();
        RuntimeException refused = assertThrows(RuntimeException.class, () -> Watchers.runOn(loop,
                () -> Subprocesses.createSubprocessExec(loop, List.of("/bin/true"), SubprocessOptions.defaults()
                        .withStdin(Redirect.DEVNULL), 1024)));
        assertTrue(String.valueOf(refused), String.valueOf(refused).contains("the child watcher is not activated"));
        assertEquals("children of this JVM", childrenBefore, ProcessHandle.current().children().count());
    }
}
