package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Test;

/**
 * A switch to a watcher that needs a main loop (the safe, fast and multiloop watchers install their
 * SIGCHLD handler when attached) while none is set: a running child stays with the watcher that
 * delivers its exit. It moved to the new watcher, which was never attached nor active, and became a
 * zombie for good, while the log said "1 children moved" (an outside review).
 */
public class SwitchWithoutAMainLoopTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void toSafe() throws Exception {
        assertExitHeardAfterASwitchWithoutAMainLoop(SafeChildWatcher::new);
    }

    @Test
    public void toFast() throws Exception {
        assertExitHeardAfterASwitchWithoutAMainLoop(FastChildWatcher::new);
    }

    @Test
    public void toMultiLoop() throws Exception {
        assertExitHeardAfterASwitchWithoutAMainLoop(MultiLoopChildWatcher::new);
    }

    private void assertExitHeardAfterASwitchWithoutAMainLoop(Supplier<ChildWatcher> target) throws Exception {
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        Asyncio.setEventLoopPolicy(policy);
        policy.setEventLoop(null); // no main loop
        Asyncio.setChildWatcher(new ThreadedChildWatcher());
        BaseEventLoop a = new SelectorEventLoop();
        cleanup.add(a::close);
        CompletableFuture<Integer> exited = new CompletableFuture<>();
        CompletableFuture<Void> spawned = new CompletableFuture<>();
        a.callSoon(() -> {
            Recording recording = new Recording();
            a.subprocessExec(() -> recording, List.of("/bin/sh", "-c", "sleep 0.5; exit 3"), SubprocessOptions.defaults()
                    .withStdin(SubprocessOptions.Redirect.DEVNULL).withStdout(SubprocessOptions.Redirect.DEVNULL)
                    .withStderr(SubprocessOptions.Redirect.DEVNULL))
                    .whenComplete((transport, error) -> {
                        if (error != null) {
                            spawned.completeExceptionally(error);
                        } else {
                            spawned.complete(null);
                        }
                    });
            recording.exited.whenComplete((code, error) -> exited.complete(error != null ? -1 : code));
        });
        Thread runningA = new Thread(() -> a.runUntilComplete(exited.copy().completeOnTimeout(-2, 10, TimeUnit.SECONDS)), "loop-a");
        runningA.start();
        spawned.get(10, TimeUnit.SECONDS);
        ChildWatcher switchedTo = target.get();
        cleanup.add(switchedTo::close);
        Asyncio.setChildWatcher(switchedTo);
        runningA.join(15_000);
        assertEquals("the exit of the child, after a switch to " + switchedTo + " with no main loop", Integer.valueOf(3),
                exited.getNow(null));
    }
}
