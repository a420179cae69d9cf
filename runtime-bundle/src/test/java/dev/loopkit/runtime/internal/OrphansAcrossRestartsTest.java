package dev.loopkit.runtime.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.HoldingChildWatcher;
import java.io.File;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.junit.After;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/**
 * Children waiting in the orphanage (no watcher installed) when the runtime bundle stops: an update and
 * refresh of the bundle drops the old runtime, orphanage included, and the children were never reaped
 * (an outside review's Pax Exam test found the zombie). The stopping runtime records their pids in its
 * bundle's data area; the next one adopts those still its process's children, for the next watcher.
 */
public class OrphansAcrossRestartsTest {

    private final File dataArea = newDataArea();
    private final BundleContext context = context(dataArea);
    private final HoldingChildWatcher collector = new HoldingChildWatcher();
    private Process child;

    private static File newDataArea() {
        try {
            return Files.createTempDirectory("runtime-data").toFile();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @After
    public void cleanUp() {
        // a watcher takes whatever waits in the orphanage, then lets it go: nobody else must look for it
        ProcessWide.get().childWatchers().register(collector, "collector", 0, 9999, "test");
        collector.children().keySet().forEach(collector::removeChildHandler);
        ProcessWide.get().childWatchers().unregister(collector);
        if (child != null) {
            child.destroyForcibly();
        }
        new File(dataArea, "orphans").delete();
        dataArea.delete();
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
        assertEquals(List.of("424242"), Files.readAllLines(new File(dataArea, "orphans").toPath()));
    }

    @Test(timeout = 30_000)
    public void aStartingRuntimeAdoptsTheRecordedChildrenThatAreStillOurs() throws Exception {
        child = new ProcessBuilder("sleep", "30").start();
        long ours = child.pid();
        long notOurs = 1; // init: alive, never our child
        Files.write(new File(dataArea, "orphans").toPath(), List.of(Long.toString(ours), Long.toString(notOurs), "999999999", "damaged"));
        RuntimeActivator activator = new RuntimeActivator();
        activator.start(context);
        try {
            Set<Long> orphans = ProcessWide.get().watcherSwitch().orphans().keySet();
            assertTrue("our child waits for the next watcher: " + orphans, orphans.contains(ours));
            assertFalse(orphans.contains(notOurs));
            assertFalse("the record is consumed", new File(dataArea, "orphans").exists());
        } finally {
            activator.stop(context);
        }
    }

    private static BundleContext context(File dataArea) {
        return (BundleContext) Proxy.newProxyInstance(OrphansAcrossRestartsTest.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "createFilter" -> FrameworkUtil.createFilter((String) args[0]);
                    case "addServiceListener", "removeServiceListener", "getServiceReferences" -> null;
                    case "getDataFile" -> new File(dataArea, (String) args[0]);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "context";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
