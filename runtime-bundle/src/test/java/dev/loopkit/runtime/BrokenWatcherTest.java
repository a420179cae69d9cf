package dev.loopkit.runtime;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.testsupport.HoldingChildWatcher;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/**
 * One watcher service that fails from children() (a third-party watcher, one closed under the switch)
 * stops no hand-over it takes no part in. Before, the switch counted the children of every watcher it
 * had seen before it moved any, and the failure stopped it: the leaving watcher then closed holding its
 * children, whose exits were lost.
 */
public class BrokenWatcherTest {

    @Test(timeout = 30_000)
    public void aBrokenStandbyWatcherDoesNotKeepTheLeavingWatchersChildrenFromTheNextOne() {
        RankedRegistry<ChildWatcher> watchers = new RankedRegistry<>(ChildWatcher.class, "child watcher", null);
        watchers.attachExternalSource("test");
        ChildWatcherSwitch watcherSwitch = new ChildWatcherSwitch(new SpawnGate(), watchers, () -> null);
        // wired as ProcessWide wires it
        watchers.addListener((previous, current) -> watcherSwitch.reconcile(previous, "the current child watcher changed"));

        HoldingChildWatcher leaving = new HoldingChildWatcher();
        HoldingChildWatcher next = new HoldingChildWatcher();
        ChildWatcher broken = new HoldingChildWatcher() {
            @Override
            public Map<Long, ChildHandler> children() {
                throw new IllegalStateException("this watcher is broken");
            }
        };
        watchers.register(leaving, "leaving", 30, 1, "bundle.leaving");
        watchers.register(broken, "broken", 10, 2, "bundle.broken");
        watchers.register(next, "next", 20, 3, "bundle.next");
        leaving.addChildHandler(101L, (pid, returncode) -> { });

        // the leaving watcher's bundle stops: RuntimeActivator's removedService, i.e. ProcessWide.retire
        watchers.unregister(leaving);
        RuntimeException retireFailed = null;
        try {
            watcherSwitch.retire(leaving, "a child watcher left with children");
        } catch (RuntimeException e) {
            retireFailed = e;
        }
        assertEquals("children of the leaving watcher (retire threw " + retireFailed + ")",
                Set.of(), leaving.children().keySet());
        assertEquals(Set.of(101L), next.children().keySet());
    }
}
