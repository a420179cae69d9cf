package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * A spawn cancelled before it connected ({@code asyncio.wait_for(loop.subprocess_exec(...), tiny)} timing
 * out) kills and reaps its child, and nothing is reported: asyncio's {@code _make_subprocess_transport}
 * closes the transport and waits for the exit. The child ran on, owned by nobody, and setting the
 * cancelled future's result was reported to the loop (an outside review).
 */
@RunWith(Parameterized.class)
public class SubprocessSpawnCancelledTest {

    @Parameters(name = "{0} loop")
    public static List<Object[]> loops() {
        return Watchers.everyLoop();
    }

    private final Watchers.Loop loopKind;
    private BaseEventLoop loop;
    private final List<Object> reported = new CopyOnWriteArrayList<>();
    private final List<Long> spawned = new CopyOnWriteArrayList<>();

    public SubprocessSpawnCancelledTest(Watchers.Loop loopKind) {
        this.loopKind = loopKind;
    }

    @Before
    public void setUp() {
        loop = Watchers.loopWithTheDefaultWatcher(loopKind);
        loop.setExceptionHandler((l, context) -> reported.add(context.get("exception")));
    }

    @After
    public void tearDown() throws Exception {
        for (long pid : spawned) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // the test's own clean-up
        }
        Watchers.resetAndClose(loop);
    }

    @Test
    public void aCancelledSpawnKillsAndReapsItsChild() {
        // asyncio.wait_for(loop.subprocess_exec(...), tiny) timing out
        spawnCancelled(spawn -> { }, spawn -> spawn.toCompletableFuture().cancel(true));
    }

    /**
     * The spawn cancelled while {@code connectionMade} runs (a caller's timeout, from another thread, in
     * that moment; here the protocol does it): asyncio's {@code _make_subprocess_transport} closes the
     * transport on any exception of its wait, a cancellation included, and the child is killed and reaped.
     * It ran on, known only to the protocol (a review of this fix's first form).
     */
    @Test
    public void aSpawnCancelledWhileConnectionMadeRunsKillsAndReapsItsChild() {
        List<String> events = spawnCancelled(spawn -> spawn.toCompletableFuture().cancel(true), spawn -> { });
        assertEquals(List.of("connectionMade", "processExited"), events);
    }

    // Spawns `sleep 30`, cancelling it from connectionMade or right after the call; after a second, no child of
    // it runs and nothing was reported. Returns what the protocol heard.
    private List<String> spawnCancelled(Consumer<CompletionStage<SubprocessTransport>> inConnectionMade,
            Consumer<CompletionStage<SubprocessTransport>> afterTheCall) {
        CompletableFuture<CompletionStage<SubprocessTransport>> spawning = new CompletableFuture<>();
        List<String> events = new CopyOnWriteArrayList<>();
        SubprocessProtocol protocol = new SubprocessProtocol() {
            @Override
            public void connectionMade(SubprocessTransport transport) {
                events.add("connectionMade");
                spawned.add(transport.getPid());
                inConnectionMade.accept(spawning.join());
            }

            @Override
            public void processExited() {
                events.add("processExited");
            }
        };
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.callSoon(() -> {
            CompletionStage<SubprocessTransport> spawn = loop.subprocessExec(() -> protocol, List.of("/bin/sleep", "30"));
            spawning.complete(spawn);
            afterTheCall.accept(spawn);
            loop.callLater(1.0, () -> done.complete(null));
        });
        loop.runUntilComplete(done);
        List<Long> running = spawned.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).toList();
        assertEquals("running children of the cancelled spawn (protocol events " + events + ", reported to the loop "
                + reported + ")", List.of(), running);
        assertEquals("reported to the loop", List.of(), reported);
        return events;
    }
}
