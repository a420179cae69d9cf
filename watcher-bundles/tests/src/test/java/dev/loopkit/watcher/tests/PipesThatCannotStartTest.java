package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.testsupport.NoNewThreads;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Test;

/**
 * A spawn whose pipes cannot start because the thread that would watch them cannot (the selector
 * loop's poller of raw descriptors, made at the first pipe, at the host's thread limit). Only a
 * {@code RuntimeException} failed the spawn: the thread's OutOfMemoryError left the spawn's future
 * pending for good, and the child's exit reached a protocol that never heard {@code connectionMade}
 * (an outside review, at a cgroup's pids limit). asyncio's {@code _connect_pipes} fails the spawn
 * with whatever the pipes raised.
 */
public class PipesThatCannotStartTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void theSpawnFailsWithTheReason() throws Exception {
        BaseEventLoop loop = Watchers.loopWith(new ThreadedChildWatcher(), cleanup);
        loop.setBlockedLoopWarning(0); // no checker thread: the limit counts the child and its waiting thread only
        AtomicReference<Throwable> spawn = new AtomicReference<>();
        try (NoNewThreads limit = NoNewThreads.join()) {
            Recording piped = new Recording();
            // the child and its waiting thread, not the poller's; a child that lives on, or its reaping frees a task
            limit.during(2, () ->
                    spawn.set(Watchers.runOn(loop, () -> Watchers.failureOrTimeout(loop,
                            loop.subprocessExec(() -> piped, List.of("/bin/sleep", "30"), SubprocessOptions.defaults())))));
        }
        NoNewThreads.assumeItFailed(spawn.get());
        assertEquals("the spawn never completed", OutOfMemoryError.class, unwrapped(spawn.get()).getClass());
    }

    private static Throwable unwrapped(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
