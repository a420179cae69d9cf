package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.After;
import org.junit.Test;

/**
 * A safe, multiloop or fast watcher closed and attached again works again, as asyncio's does
 * ({@code close()} only drops its children and detaches it). Once closed tables refused children, such
 * a watcher said it was active and every spawn through it failed (a second review).
 */
public class ClosedAndAttachedAgainTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    private void closeReattachAndSpawn(ChildWatcher watcher) {
        BaseEventLoop loop = Watchers.loopWith(watcher, cleanup);
        watcher.close();
        watcher.attachLoop(loop);
        boolean active = Watchers.runOn(loop, () -> CompletableFuture.completedFuture(watcher.isActive()));
        Object outcome = Watchers.returncodeOrFailure(loop, "exit 3");
        assertEquals("isActive() after close() and attachLoop() was " + active + "; spawn gave", 3, outcome);
    }

    @Test
    public void safe() {
        closeReattachAndSpawn(new SafeChildWatcher());
    }

    @Test
    public void multiloop() {
        closeReattachAndSpawn(new MultiLoopChildWatcher());
    }

    @Test
    public void fast() {
        closeReattachAndSpawn(new FastChildWatcher());
    }
}
