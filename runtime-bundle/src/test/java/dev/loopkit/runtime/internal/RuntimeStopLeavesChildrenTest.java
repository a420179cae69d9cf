package dev.loopkit.runtime.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.RuntimeHook;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.HoldingChildWatcher;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;

/**
 * Stopping the runtime bundle empties its registries quietly: the services stay where they are, a
 * watcher keeps its children. Before, closing the watcher tracker after the reset retired each watcher
 * (removedService, then ProcessWide.retire), and with the registry already empty its children went to
 * the orphanage, where nobody reaps them, and the watcher was detached from its loop. The real
 * activator runs here against a proxy of the framework's context (the ServiceTracker is the real one).
 */
public class RuntimeStopLeavesChildrenTest {

    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final HoldingChildWatcher watcher = new HoldingChildWatcher() {
        @Override
        public void attachLoop(EventLoop loop) {
            journal.add(loop == null ? "detach" : "attach");
        }

        @Override
        public void close() {
            journal.add("close");
        }
    };

    @After
    public void cleanUp() {
        watcher.removeChildHandler(101L); // not a real child: nobody else must ever look for it
        System.clearProperty(RuntimeActivator.ORPHANS + ".runtime-stop-test"); // the stopped runtime's record of it
        RuntimeHook.install(null); // the stopped runtime: the next use finds the class path's one again
    }

    @SuppressWarnings("unchecked")
    private BundleContext contextOffering(ChildWatcher service) {
        ServiceReference<ChildWatcher> reference = (ServiceReference<ChildWatcher>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ServiceReference.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getProperty" -> switch ((String) args[0]) {
                        case Constants.SERVICE_ID -> 7L;
                        case Constants.SERVICE_RANKING -> 10;
                        case "loopkit.name" -> "held";
                        default -> null;
                    };
                    case "getBundle" -> null;
                    case "compareTo" -> 0;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "reference to the watcher";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "createFilter" -> FrameworkUtil.createFilter((String) args[0]);
                    case "addServiceListener", "removeServiceListener" -> null;
                    case "getServiceReferences" -> ChildWatcher.class.getName().equals(args[0])
                            ? new ServiceReference<?>[] {reference} : null;
                    case "getService" -> service;
                    case "getProperty" -> Constants.FRAMEWORK_UUID.equals(args[0]) ? "runtime-stop-test" : null;
                    case "ungetService" -> true;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "context";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test(timeout = 30_000)
    public void stoppingTheRuntimeBundleLeavesAWatchersChildrenWithIt() {
        BundleContext context = contextOffering(watcher);
        RuntimeActivator activator = new RuntimeActivator();
        activator.start(context);
        try {
            assertSame(watcher, ProcessWide.get().childWatchers().current());
            watcher.addChildHandler(101L, (pid, returncode) -> { });
            journal.clear();
        } finally {
            activator.stop(context);
        }
        assertEquals("what was done to the watcher: " + journal + "; orphans: "
                + ProcessWide.get().watcherSwitch().orphans().keySet(), Set.of(101L), watcher.children().keySet());
    }
    /**
     * A restart of the runtime bundle keeps what was chosen: the platform's configuration (it stays
     * active, and sets its choice only when it is activated or modified) and what code set. Before, the
     * restarted runtime ran the ranked watcher while ConfigAdmin still named another (an outside
     * review's Pax Exam test: "expected selector configured, was epoll ranked").
     */
    @Test(timeout = 30_000)
    public void restartingTheRuntimeBundleKeepsTheConfiguredAndTheExplicitChoice() {
        BundleContext context = contextOffering(watcher);
        RuntimeActivator activator = new RuntimeActivator();
        HoldingChildWatcher setByCode = new HoldingChildWatcher();
        activator.start(context);
        try {
            ProcessWide.get().childWatchers().setConfigured("held");
            ProcessWide.get().childWatchers().setExplicit(setByCode);
            activator.stop(context);
            activator.start(context);
            assertEquals(java.util.Optional.of("held"), ProcessWide.get().childWatchers().configured());
            assertEquals(java.util.Optional.of(setByCode), ProcessWide.get().childWatchers().explicit());
            assertSame(setByCode, ProcessWide.get().childWatchers().current());
        } finally {
            ProcessWide.get().childWatchers().setExplicit(null);
            ProcessWide.get().childWatchers().setConfigured(null);
            activator.stop(context);
        }
    }
}
