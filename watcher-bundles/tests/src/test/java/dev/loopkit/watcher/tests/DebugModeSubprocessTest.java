package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * Debug mode ({@code asyncio.run(debug=True)}, {@code PYTHONASYNCIODEBUG=1}) changes nothing for a
 * subprocess but the extra checks and logs. Its thread check refused the loop's own thread, so every
 * spawn hung on every loop: with pipes before {@code connectionMade}, without them its exit never came
 * (an outside review).
 */
@RunWith(Parameterized.class)
public class DebugModeSubprocessTest {

    @Parameters(name = "{0} loop")
    public static List<Object[]> loops() {
        return Watchers.everyLoop();
    }

    private final Watchers.Loop loopKind;
    private BaseEventLoop loop;
    private final List<Object> reported = new CopyOnWriteArrayList<>();

    public DebugModeSubprocessTest(Watchers.Loop loopKind) {
        this.loopKind = loopKind;
    }

    @Before
    public void setUp() {
        loop = Watchers.loopWithTheDefaultWatcher(loopKind);
        loop.setExceptionHandler((l, context) -> reported.add(context.get("exception")));
    }

    @After
    public void tearDown() {
        Watchers.resetAndClose(loop);
    }

    @Test
    public void aChildWithPipesInDebugMode() {
        loop.setDebug(true);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        loop.callSoon(() -> Subprocesses.createSubprocessExec(loop, List.of("/bin/echo", "hi"), SubprocessOptions.defaults(), 1024)
                .thenCompose((Subprocess p) -> p.communicate(null))
                .whenComplete((out, error) -> outcome.complete(error != null ? "failed: " + error : new String(out.stdout()))));
        loop.callLater(5, () -> outcome.complete("no answer in 5 s; reported to the loop: " + reported));
        assertEquals("hi\n", loop.runUntilComplete(outcome));
    }

    @Test
    public void aChildWithoutPipesInDebugMode() {
        loop.setDebug(true);
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(SubprocessOptions.Redirect.DEVNULL)
                .withStdout(SubprocessOptions.Redirect.DEVNULL).withStderr(SubprocessOptions.Redirect.DEVNULL);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        loop.callSoon(() -> Subprocesses.createSubprocessExec(loop, List.of("/bin/sh", "-c", "exit 3"), quiet, 1024)
                .thenCompose(Subprocess::waitFor)
                .whenComplete((code, error) -> outcome.complete(error != null ? "failed: " + error : "code " + code)));
        loop.callLater(5, () -> outcome.complete("no answer in 5 s; reported to the loop: " + reported));
        assertEquals("code 3", loop.runUntilComplete(outcome));
    }
}
