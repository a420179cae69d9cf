package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;
import org.junit.Test;

/**
 * A pid that does not fit {@code pid_t} (2^31): asyncio's safe watcher raises {@code OverflowError} from
 * {@code add_child_handler} and keeps the entry. Every watcher refuses it with a clear error, before
 * anything holds it: the safe, multiloop, threaded and fast watchers kept it, and it followed every
 * switch after (an outside review).
 */
public class HugePidTest {

    private static final long HUGE_PID = Integer.MAX_VALUE + 1L;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    private void hugePidIsRefusedAndLeavesNothingRegistered(ChildWatcher watcher) {
        BaseEventLoop loop = Watchers.loopWith(watcher, cleanup);
        Throwable thrown = Watchers.runOn(loop, () -> {
            Throwable t = null;
            try (SpawnScope scope = watcher.enterSpawn()) {
                watcher.addChildHandler(HUGE_PID, (p, c) -> { });
            } catch (RuntimeException e) {
                t = e;
            }
            return CompletableFuture.completedFuture(t);
        });
        Map<Long, ?> left = watcher.children();
        assertTrue("addChildHandler(" + HUGE_PID + ") should be refused with an IllegalArgumentException, threw "
                + thrown + "; registered after: " + left.keySet(), thrown instanceof IllegalArgumentException);
        assertEquals("a refused registration leaves nothing registered", Map.of(), left);
    }

    @Test
    public void safe() {
        hugePidIsRefusedAndLeavesNothingRegistered(new SafeChildWatcher());
    }

    @Test
    public void multiloop() {
        hugePidIsRefusedAndLeavesNothingRegistered(new MultiLoopChildWatcher());
    }

    @Test
    public void threaded() {
        hugePidIsRefusedAndLeavesNothingRegistered(new ThreadedChildWatcher());
    }

    @Test
    public void fast() {
        hugePidIsRefusedAndLeavesNothingRegistered(new FastChildWatcher());
    }

    @Test
    public void pidfd() {
        hugePidIsRefusedAndLeavesNothingRegistered(new PidfdChildWatcher());
    }

    /**
     * Refused by the multiloop watcher, the pid went along with the switch to a safe watcher all the
     * same, whose attach and every SIGCHLD sweep then failed with "not a pid".
     */
    @Test
    public void aRefusedHugePidDoesNotFollowIntoTheNextWatcher() throws Exception {
        MultiLoopChildWatcher ml = new MultiLoopChildWatcher();
        BaseEventLoop loop = Watchers.loopWith(ml, cleanup);
        RuntimeException refused = Watchers.runOn(loop, () -> {
            RuntimeException t = null;
            try {
                ml.addChildHandler(HUGE_PID, (p, c) -> { });
            } catch (RuntimeException e) {
                t = e;
            }
            return CompletableFuture.completedFuture(t);
        });
        assertTrue(String.valueOf(refused), refused instanceof IllegalArgumentException);
        SafeChildWatcher safe = new SafeChildWatcher();
        cleanup.add(safe::close);
        List<Object> handled = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> handled.add(context.get("message")));
        RuntimeException fromSwitch = null;
        try {
            Asyncio.setChildWatcher(safe);
            safe.attachLoop(loop);
        } catch (RuntimeException e) {
            fromSwitch = e;
        }
        // a real child's exit: one SIGCHLD sweep on the loop
        Subprocess child = Watchers.runOn(loop, () -> Subprocesses.createSubprocessExec(loop,
                List.of("/bin/sh", "-c", "exit 4"), SubprocessOptions.defaults().withStdin(Redirect.DEVNULL), 1024));
        assertEquals(Integer.valueOf(4), Watchers.runOn(loop, () -> child.communicate(null).thenCompose(o -> child.waitFor())));
        Map<Long, ?> safeHolds = safe.children();
        String where = "safe holds " + safeHolds.keySet() + ", multiloop holds " + ml.children().keySet() + ", orphanage "
                + ProcessWide.get().watcherSwitch().orphans().keySet() + ", the switch/attach threw " + fromSwitch
                + ", loop exception handler got " + handled;
        assertFalse(where, ProcessWide.get().registeredChildren().contains(HUGE_PID));
        assertEquals(where, List.of(), handled);
    }

}
