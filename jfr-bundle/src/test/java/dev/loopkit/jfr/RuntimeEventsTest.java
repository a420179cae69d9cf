package dev.loopkit.jfr;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
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
    private final HoldingWatcher first = new HoldingWatcher();
    private final HoldingWatcher second = new HoldingWatcher();

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
        assertEquals(2, second.held.size());
    }

    /** Holds the pids it is given: what is moved, not how exits are reaped. */
    private static final class HoldingWatcher implements ChildWatcher {
        final Map<Long, ChildHandler> held = new ConcurrentHashMap<>();

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
        public void handOverChildren(ChildWatcher to) {
            held.forEach(to::addChildHandler);
            held.clear();
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
    }
}
