package dev.loopkit.runtime;

import static org.junit.Assert.assertTrue;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.After;
import org.junit.Test;

/**
 * registeredChildren() is every pid a child watcher holds or that waits for one: the children of a
 * watcher set with setChildWatcher (asyncio's usual set_child_watcher(ThreadedChildWatcher()), not a
 * service) too. Before, it counted the registry's entries only; the JMX Children MBean and the fast
 * watcher's check for foreign children read it, while loop:children listed that watcher's children.
 */
public class RegisteredChildrenTest {

    private final Map<Long, ChildHandler> held = new ConcurrentHashMap<>();
    private final ChildWatcher explicit = new ChildWatcher() {
        @Override
        public void addChildHandler(long pid, ChildHandler handler) {
            held.put(pid, handler);
        }

        @Override
        public boolean removeChildHandler(long pid) {
            return held.remove(pid) != null;
        }

        @Override
        public Map<Long, ChildHandler> children() {
            return Map.copyOf(held);
        }

        @Override
        public void attachLoop(EventLoop loop) {
        }

        @Override
        public boolean isActive() {
            return true;
        }

        @Override
        public void close() {
        }
    };

    @After
    public void cleanUp() {
        held.clear();
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
