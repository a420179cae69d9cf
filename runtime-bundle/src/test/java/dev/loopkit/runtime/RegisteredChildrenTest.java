package dev.loopkit.runtime;

import static org.junit.Assert.assertTrue;

import dev.loopkit.testsupport.HoldingChildWatcher;
import org.junit.After;
import org.junit.Test;

/**
 * registeredChildren() is every pid a child watcher holds or that waits for one: the children of a
 * watcher set with setChildWatcher (asyncio's usual set_child_watcher(ThreadedChildWatcher()), not a
 * service) too. Before, it counted the registry's entries only; the JMX Children MBean and the fast
 * watcher's check for foreign children read it, while loop:children listed that watcher's children.
 */
public class RegisteredChildrenTest {

    private final HoldingChildWatcher explicit = new HoldingChildWatcher();

    @After
    public void cleanUp() {
        explicit.removeChildHandler(424242L);
        ProcessWide.get().childWatchers().setExplicit(null);
    }

    @Test
    public void theChildrenOfAWatcherSetExplicitlyAreLoopkits() {
        ProcessWide.get().childWatchers().setExplicit(explicit);
        explicit.addChildHandler(424242L, (pid, returncode) -> { });
        assertTrue("registeredChildren() = " + ProcessWide.get().registeredChildren(),
                ProcessWide.get().registeredChildren().contains(424242L));
    }
}
