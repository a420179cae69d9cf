package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.Test;

/**
 * The JFR events the loops emit, recorded and read back: a blocked loop (from the blocked-loop
 * detector), a slow callback (debug mode), a child spawned and its exit delivered.
 */
public class LoopFlightEventsTest {

    private static final List<String> EVENTS = List.of("dev.loopkit.BlockedLoop", "dev.loopkit.SlowCallback",
            "dev.loopkit.ChildSpawned", "dev.loopkit.ExitDelivered");

    /** Keeps the loop thread for {@code nanos}, parking (a park may return early: it parks again). */
    private static void holdTheLoop(long nanos) {
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    @Test(timeout = 60_000)
    public void aBlockedCallbackAndAChildAreRecorded() throws Exception {
        Path file = Files.createTempFile("loopkit-loop-events", ".jfr");
        BaseEventLoop loop = new SelectorEventLoop();
        ThreadedChildWatcher watcher = new ThreadedChildWatcher();
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        policy.setChildWatcher(watcher);
        Asyncio.setEventLoopPolicy(policy);
        watcher.attachLoop(loop);
        long pid;
        try (Recording recording = new Recording(); LogCapture quiet = LogCapture.of("dev.loopkit.loop")) {
            EVENTS.forEach(name -> recording.enable(name).withThreshold(Duration.ZERO));
            recording.start();

            loop.setBlockedLoopWarning(0.2);
            loop.setDebug(true); // slow_callback_duration 0.1 s
            CompletableFuture<Void> blocked = new CompletableFuture<>();
            loop.callSoon(() -> {
                // A second at least (the slow-callback event), and until the checker thread has warned
                // (the blocked-loop event follows the warning): starved under load for the whole second,
                // it saw the callback return and warned of nothing
                holdTheLoop(1_000_000_000L);
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (quiet.messages().stream().noneMatch(m -> m.contains("is blocked")) && System.nanoTime() < deadline) {
                    holdTheLoop(10_000_000L);
                }
                holdTheLoop(50_000_000L);
                blocked.complete(null);
            });
            loop.runUntilComplete(blocked);
            loop.setDebug(false);
            loop.setBlockedLoopWarning(0); // the rest may be slow under load: not this test's matter

            SubprocessOptions quietChild = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                    .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
            Subprocess child = Watchers.runOn(loop, () -> Subprocesses.createSubprocessExec(loop,
                    List.of("/bin/sh", "-c", "exit 7"), quietChild, 65536));
            assertEquals(Integer.valueOf(7), Watchers.runOn(loop, child::waitFor));
            pid = child.pid();
            recording.stop();
            recording.dump(file);
        } finally {
            loop.close();
            watcher.close();
            Asyncio.setEventLoopPolicy(null);
            ProcessWide.get().childWatchers().setExplicit(null);
        }
        try {
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            // Under load another callback may cross a threshold too: the blocking one is the longest.
            RecordedEvent blockedLoop = longest(events, "dev.loopkit.BlockedLoop", "blocked");
            assertEquals(loop.loopName(), blockedLoop.getString("loop"));
            assertTrue(blockedLoop.getString("callback"), blockedLoop.getString("callback").startsWith("<Handle "));
            assertTrue(blockedLoop.getDuration("blocked").toMillis() >= 200);
            assertEquals(200, blockedLoop.getDuration("threshold").toMillis());

            RecordedEvent slow = longest(events, "dev.loopkit.SlowCallback", "took");
            assertEquals(loop.loopName(), slow.getString("loop"));
            assertTrue(slow.getDuration("took").toMillis() >= 1000);

            RecordedEvent spawned = only(events, "dev.loopkit.ChildSpawned");
            assertEquals(pid, spawned.getLong("pid"));
            assertEquals("/bin/sh", spawned.getString("program"));
            assertEquals(loop.loopName(), spawned.getString("loop"));

            RecordedEvent exit = only(events, "dev.loopkit.ExitDelivered");
            assertEquals(pid, exit.getLong("pid"));
            assertEquals(7, exit.getInt("returncode"));
            // named as dev.loopkit.WatcherSwap names it: a watcher set by code, not registered, by its class
            assertEquals(ThreadedChildWatcher.class.getName(), exit.getString("watcher"));
            assertTrue(exit.getDuration("latency").toNanos() > 0);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static RecordedEvent longest(List<RecordedEvent> events, String name, String field) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name))
                .max(Comparator.comparing(e -> e.getDuration(field))).orElseThrow(() -> new AssertionError("no " + name));
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> named = events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
        assertEquals(name + ": " + named, 1, named.size());
        return named.get(0);
    }
}
