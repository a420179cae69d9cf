package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.testsupport.NoNewThreads;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Test;

/**
 * A loop closes while a child it watched with the pidfd watcher still runs: the watcher waits for that
 * child on a thread of its own. At the host's thread limit that thread cannot start. The child stayed
 * listed as waited for by a thread that never ran, and once it exited it was a zombie for good (an
 * outside review). As Tokio's orphan queue, such a child is looked at again when the watcher next takes
 * a child: reaped if it has exited, waited for by a thread otherwise.
 */
public class PidfdOrphanWaiterThatCannotStartTest {

    private static final Posix POSIX = Posix.get();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void anOrphanWithoutAThreadIsReapedWhenTheWatcherNextTakesAChild() throws Exception {
        assumeTrue("pidfds are off here", POSIX.pidfdSupported());
        PidfdChildWatcher watcher = new PidfdChildWatcher();
        BaseEventLoop closing = Watchers.loopWith(watcher, cleanup);
        closing.setBlockedLoopWarning(0); // no checker thread
        long[] orphan = Watchers.waitingChild(0);
        cleanup.add(() -> reapIfLeft(orphan[0])); // if the test fails before the watcher reaps it
        Watchers.runOn(closing, () -> CompletableFuture.completedFuture(register(watcher, orphan[0], (pid, code) -> { })));
        AtomicReference<Throwable> closeFailed = new AtomicReference<>();
        try (NoNewThreads limit = NoNewThreads.join()) {
            limit.during(() -> {
                try {
                    closing.close(); // its child's waiting thread cannot start
                } catch (OutOfMemoryError noThread) {
                    closeFailed.set(noThread);
                }
            });
        }
        NoNewThreads.assumeItFailed(closeFailed.get());
        assertTrue(closing.isClosed());

        POSIX.close((int) orphan[1]); // the child reads the end of its stdin and exits
        assertTrue("the child exited: " + Watchers.procState(orphan[0]), Leaks.await(() -> Watchers.isZombie(orphan[0]), 10));

        BaseEventLoop next = new SelectorEventLoop();
        cleanup.add(next::close);
        watcher.attachLoop(next);
        CompletableFuture<Integer> nextCode = new CompletableFuture<>();
        long[] nextChild = Watchers.waitingChild(3);
        Watchers.runOn(next, () -> CompletableFuture.completedFuture(register(watcher, nextChild[0], (pid, code) -> nextCode.complete(code))));
        assertTrue("the orphan was reaped once the watcher took another child: " + Watchers.procState(orphan[0]),
                Leaks.await(() -> !Watchers.isZombie(orphan[0]), 10));
        assertEquals("the orphan is no longer the watcher's", List.of(nextChild[0]), List.copyOf(watcher.children().keySet()));
        POSIX.close((int) nextChild[1]);
        assertEquals(Integer.valueOf(3), Watchers.runOn(next, () -> nextCode));
    }

    private static void reapIfLeft(long pid) {
        try {
            POSIX.kill(pid, 9);
            POSIX.waitpid(pid, false);
        } catch (PosixException reaped) {
            // by the watcher, as it should be
        }
    }

    // On the running loop, as a spawn does: the child is that loop's.
    private static long register(PidfdChildWatcher watcher, long pid, ChildHandler handler) {
        try (SpawnScope scope = watcher.enterSpawn()) {
            watcher.addChildHandler(pid, handler);
            return pid;
        }
    }
}
