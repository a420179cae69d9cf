package dev.loopkit.runtime.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.runtime.ProcessWide;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    private final Map<Long, ChildHandler> held = new ConcurrentHashMap<>();
    private final ChildWatcher watcher = new ChildWatcher() {
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
            journal.add(loop == null ? "detach" : "attach");
        }

        @Override
        public boolean isActive() {
            return true;
        }

        @Override
        public void close() {
            journal.add("close");
        }
    };

    @After
    public void cleanUp() {
        held.clear(); // pid 101 stays in ProcessWide's orphanage: the runtime bundle's stop does not clear it either
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
            held.put(101L, (pid, returncode) -> { });
            journal.clear();
        } finally {
            activator.stop(context);
        }
        assertEquals("what was done to the watcher: " + journal + "; orphans: "
                + ProcessWide.get().watcherSwitch().orphans().keySet(), Set.of(101L), held.keySet());
    }
}
