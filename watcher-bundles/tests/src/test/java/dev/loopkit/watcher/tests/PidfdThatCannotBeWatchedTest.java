package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.posix.Posix;
import dev.loopkit.testsupport.NoNewThreads;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Test;

/**
 * The pidfd watcher on the selector loop when the child's pidfd cannot be watched for want of a
 * thread (the loop's poller of raw descriptors, made at the first one, at the host's thread limit).
 * Only a {@code RuntimeException} undid the registration: with the thread's OutOfMemoryError the watcher
 * kept the child, reaped by the failed spawn, and its pidfd open, after the loop closed too (an outside
 * review, at a cgroup's pids limit).
 */
public class PidfdThatCannotBeWatchedTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void theSpawnFailsAndTheWatcherKeepsNeitherTheChildNorItsPidfd() throws Exception {
        assumeTrue("pidfds are off here", Posix.get().pidfdSupported());
        PidfdChildWatcher watcher = new PidfdChildWatcher();
        BaseEventLoop loop = Watchers.loopWith(watcher, cleanup);
        loop.setBlockedLoopWarning(0); // no checker thread: the limit counts the child only
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        AtomicReference<Throwable> spawn = new AtomicReference<>();
        Map<Integer, String> before = Leaks.openFds();
        try (NoNewThreads limit = NoNewThreads.join()) {
            Recording recording = new Recording();
            limit.during(1, () -> {
                try {
                    spawn.set(Watchers.runOn(loop, () -> Watchers.failureOrTimeout(loop,
                            loop.subprocessExec(() -> recording, List.of("/bin/sleep", "30"), quiet))));
                } catch (OutOfMemoryError thrownBySubprocessExec) { // an error the loop passes on ends the run
                    spawn.set(thrownBySubprocessExec);
                }
            });
        }
        NoNewThreads.assumeItFailed(spawn.get());
        Throwable failure = spawn.get() instanceof CompletionException wrapped ? wrapped.getCause() : spawn.get();
        assertEquals(OutOfMemoryError.class, failure.getClass());
        assertEquals("children kept", Map.of(), watcher.children());
        assertEquals("descriptors left open", List.of(), Leaks.newFds(before).values().stream()
                .filter(target -> target.contains("pidfd")).toList());
    }
}
