package dev.loopkit.jfr;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.After;
import org.junit.Test;

/**
 * Records with JFR while the watcher and the policy are switched, then reads the events back from the
 * file, as {@code jfr print} would.
 */
public class RuntimeEventsTest {

    private final RankedRegistry<ChildWatcher> watchers = ProcessWide.get().childWatchers();
    private final Map<Long, ChildHandler> heldBySecond = new ConcurrentHashMap<>();
    private final ChildWatcher first = holding(new ConcurrentHashMap<>());
    private final ChildWatcher second = holding(heldBySecond);

    @After
    public void forget() {
        ProcessWide.get().policies().setConfigured(null);
        watchers.setConfigured(null);
        watchers.unregister(first);
        watchers.unregister(second);
    }

    @Test
    public void aWatcherSwapAndAPolicyChangeAreRecordedWithFromToReasonAndTheChildrenMoved() throws Exception {
        Path file = Files.createTempFile("loopkit-events", ".jfr");
        try (RuntimeEvents events = RuntimeEvents.start(); Recording recording = new Recording()) {
            recording.enable(LoopkitEvents.WATCHER_SWAP);
            recording.enable(LoopkitEvents.POLICY_CHANGE);
            recording.start();
            watchers.register(first, "first-test", 20, 1_000_001, "test");
            first.addChildHandler(4001, (pid, returncode) -> { });
            first.addChildHandler(4002, (pid, returncode) -> { });
            watchers.register(second, "second-test", 10, 1_000_002, "test");
            watchers.setConfigured("second-test");
            ProcessWide.get().policies().setConfigured("proactor");
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> recorded = RecordingFile.readAllEvents(file);
        Files.delete(file);
        List<String> swaps = recorded.stream().filter(e -> e.getEventType().getName().equals(LoopkitEvents.WATCHER_SWAP))
                .map(e -> e.getString("from") + " -> " + e.getString("to") + " (" + e.getString("reason") + "): "
                        + e.getInt("childrenMoved"))
                .toList();
        assertEquals(List.of(
                "none -> first-test (ranked: the current child watcher changed): 0",
                "first-test -> second-test (configured: the current child watcher changed): 2"), swaps);
        List<String> policies = recorded.stream().filter(e -> e.getEventType().getName().equals(LoopkitEvents.POLICY_CHANGE))
                .map(e -> e.getString("from") + " -> " + e.getString("to") + " (" + e.getString("reason") + ")")
                .toList();
        assertEquals(List.of("default -> proactor (configured)"), policies);
        assertEquals(2, heldBySecond.size());
    }

    /** A watcher that holds the pids it is given, in {@code held}: what is moved, not how exits are reaped. */
    private static ChildWatcher holding(Map<Long, ChildHandler> held) {
        return (ChildWatcher) Proxy.newProxyInstance(RuntimeEventsTest.class.getClassLoader(), new Class<?>[] {ChildWatcher.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "addChildHandler" -> held.put((Long) args[0], (ChildHandler) args[1]);
                    case "removeChildHandler" -> held.remove((Long) args[0]) != null;
                    case "children" -> Map.copyOf(held);
                    case "handOverChildren" -> {
                        Map<Long, ChildHandler> moving = Map.copyOf(held);
                        held.clear();
                        moving.forEach(((ChildWatcher) args[0])::addChildHandler);
                        yield null;
                    }
                    case "isActive" -> true;
                    case "reapsOthersChildren" -> false;
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> null;
                });
    }
}
