package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.After;
import org.junit.Test;

/**
 * Switching to a, to b (which closes a, as asyncio does) and back to a: the registry attaches a again,
 * and it works, as asyncio's does once attached. Once closed tables refused children, a was current,
 * attached and "active", and refused every child (a second review).
 */
public class SwitchBackToAClosedWatcherTest {

    private BaseEventLoop loop;

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(List.of(() -> {
            Asyncio.setEventLoop(null);
            loop.close();
        }));
    }

    @Test
    public void switchingBackToAWatcherTheRegistryClosedSpawnsThroughItAgain() {
        assertSwitchingBackSpawnsThroughItAgain(new SafeChildWatcher());
    }

    /**
     * The threaded watcher too: its close shut its pool of waiting threads for good, and switched back to
     * it refused every spawn ("it is closed"), where asyncio's close() is a no-op (an outside review).
     */
    @Test
    public void switchingBackToAThreadedWatcherTheRegistryClosedSpawnsThroughItAgain() {
        assertSwitchingBackSpawnsThroughItAgain(new ThreadedChildWatcher());
    }

    private void assertSwitchingBackSpawnsThroughItAgain(ChildWatcher watcher) {
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy());
        loop = new SelectorEventLoop();
        Asyncio.setEventLoop(loop); // main context: the current watcher is attached to it
        Asyncio.setChildWatcher(watcher);
        Asyncio.setChildWatcher(new MultiLoopChildWatcher()); // closes it, as asyncio does
        Asyncio.setChildWatcher(watcher);
        // no attachLoop by hand: the registry attached it to the main-context loop
        boolean active = Watchers.runOn(loop, () -> CompletableFuture.completedFuture(watcher.isActive()));
        Object outcome = Watchers.returncodeOrFailure(loop, "exit 4");
        assertEquals("current " + Asyncio.getChildWatcher() + ", active " + active + "; spawn gave", 4, outcome);
    }
}
