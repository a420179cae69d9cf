package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
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
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy());
        loop = new SelectorEventLoop();
        Asyncio.setEventLoop(loop); // main context: the current watcher is attached to it
        SafeChildWatcher safe = new SafeChildWatcher();
        Asyncio.setChildWatcher(safe);
        Asyncio.setChildWatcher(new MultiLoopChildWatcher()); // closes safe, as asyncio does
        Asyncio.setChildWatcher(safe);
        // no attachLoop by hand: the registry attached it to the main-context loop
        boolean active = Watchers.runOn(loop, () -> CompletableFuture.completedFuture(safe.isActive()));
        Object outcome = Watchers.returncodeOrFailure(loop, "exit 4");
        assertEquals("current " + Asyncio.getChildWatcher() + ", active " + active + "; spawn gave", 4, outcome);
    }
}
