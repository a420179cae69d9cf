package dev.loopkit.runtime.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.RuntimeHook;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.HoldingChildWatcher;
import java.util.Set;
import org.junit.After;
import org.junit.Test;
import org.osgi.framework.BundleContext;

/**
 * Children waiting in the orphanage (no watcher installed) when the runtime bundle stops: an update and
 * refresh of the bundle drops the old runtime, orphanage included, and the children were never reaped
 * (an outside review's Pax Exam test found the zombie). The stopping runtime records their pids in a
 * system property, which an uninstall (Karaf's feature uninstall) does not delete as it deletes the
 * bundle's data area; the next one adopts those still its process's children, for the next watcher.
 */
public class OrphansAcrossRestartsTest {

    private final BundleContext context = ServicelessContext.of("this-framework");
    private final HoldingChildWatcher collector = new HoldingChildWatcher();
    private Process child;

    @After
    public void cleanUp() {
        // a watcher takes whatever waits in the orphanage, then lets it go: nobody else must look for it
        ProcessWide.get().childWatchers().register(collector, "collector", 0, 9999, "test");
        collector.children().keySet().forEach(collector::removeChildHandler);
        ProcessWide.get().childWatchers().unregister(collector);
        if (child != null) {
            child.destroyForcibly();
        }
        System.clearProperty(RuntimeActivator.recordOf(context));
        RuntimeHook.install(null); // the stopped runtime: the next use finds the class path's one again
    }

    @Test(timeout = 30_000)
    public void aStoppingRuntimeRecordsItsOrphans() throws Exception {
        RuntimeActivator activator = new RuntimeActivator();
        activator.start(context);
        HoldingChildWatcher leaving = new HoldingChildWatcher();
        ProcessWide.get().childWatchers().register(leaving, "leaving", 0, 9998, "test");
        leaving.addChildHandler(424242L, (pid, code) -> { });
        ProcessWide.get().retire(leaving); // the last watcher goes: the child waits in the orphanage
        assertEquals(Set.of(424242L), ProcessWide.get().watcherSwitch().orphans().keySet());
        activator.stop(context);
        assertEquals("424242", System.getProperty(RuntimeActivator.recordOf(context)));
    }

    /**
     * A watcher keeps its children while the runtime is down; if its bundle stops meanwhile, nobody
     * retires it, and only the record names them (Karaf's feature uninstall stopped the runtime first).
     */
    @Test(timeout = 30_000)
    public void aStoppingRuntimeRecordsTheChildrenItsWatchersHoldToo() throws Exception {
        RuntimeActivator activator = new RuntimeActivator();
        activator.start(context);
        HoldingChildWatcher holding = new HoldingChildWatcher();
        ProcessWide.get().childWatchers().register(holding, "holding", 0, 9997, "test");
        holding.addChildHandler(434343L, (pid, code) -> { });
        try {
            activator.stop(context);
            assertEquals("434343", System.getProperty(RuntimeActivator.recordOf(context)));
        } finally {
            holding.removeChildHandler(434343L);
            ProcessWide.get().childWatchers().unregister(holding);
        }
    }

    @Test(timeout = 30_000)
    public void aStartingRuntimeAdoptsTheRecordedChildrenThatAreStillOurs() throws Exception {
        child = new ProcessBuilder("sleep", "30").start();
        long ours = child.pid();
        long notOurs = 1; // init: alive, never our child
        System.setProperty(RuntimeActivator.recordOf(context), String.join(",", Long.toString(ours), Long.toString(notOurs), "999999999", "damaged"));
        RuntimeActivator activator = new RuntimeActivator();
        activator.start(context);
        try {
            Set<Long> orphans = ProcessWide.get().watcherSwitch().orphans().keySet();
            assertTrue("our child waits for the next watcher: " + orphans, orphans.contains(ours));
            assertFalse(orphans.contains(notOurs));
            assertNull("the record is consumed", System.getProperty(RuntimeActivator.recordOf(context)));
        } finally {
            activator.stop(context);
        }
    }

    /** Another framework's record in the same JVM is not this runtime's to adopt. */
    @Test(timeout = 30_000)
    public void anotherFrameworksRecordIsLeftAlone() throws Exception {
        child = new ProcessBuilder("sleep", "30").start();
        String another = RuntimeActivator.ORPHANS + ".another-framework";
        System.setProperty(another, Long.toString(child.pid()));
        RuntimeActivator activator = new RuntimeActivator();
        activator.start(context);
        try {
            assertFalse(ProcessWide.get().watcherSwitch().orphans().containsKey(child.pid()));
            assertEquals(Long.toString(child.pid()), System.getProperty(another));
        } finally {
            activator.stop(context);
            System.clearProperty(another);
        }
    }
}
