package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * Children are never lost to bad luck in a switch or a bad pid: asyncio never drops a registered
 * callback. (An outside review found each of these losing an exit, or waiting forever.)
 */
public class ChildrenNeverLostTest {

    private static final Posix POSIX = Posix.get();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    private BaseEventLoop loopWith(ChildWatcher watcher) {
        return Watchers.loopWith(watcher, cleanup);
    }

    /**
     * asyncio's ThreadedChildWatcher: {@code os.waitpid(pid, 0)} raises ChildProcessError at once for a
     * pid that is not our child: "Unknown child process pid %d, will report returncode 255". The
     * threaded watcher used to poll that process's pidfd, which it cannot reap, until it exited.
     */
    @Test
    public void threadedWatcherReports255AtOnceForAPidThatIsNotOurChild() throws Exception {
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        BaseEventLoop loop = loopWith(threaded);
        long notOurChild = ProcessHandle.current().pid(); // alive, and never our child
        CompletableFuture<Integer> code = new CompletableFuture<>();
        try (LogCapture log = LogCapture.of(ThreadedChildWatcher.class.getName())) {
            Integer got = Watchers.runOn(loop, () -> {
                threaded.addChildHandler(notOurChild, (p, c) -> code.complete(c));
                return code.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null);
            });
            assertEquals("handler for a non-child pid, waiting threads=" + threaded.waitingThreads()
                    + ", log=" + log.messages(), Integer.valueOf(255), got);
        }
    }

    /** The same pid on the safe watcher. */
    @Test
    public void safeWatcherReports255AtOnceForAPidThatIsNotOurChild() throws Exception {
        SafeChildWatcher safe = new SafeChildWatcher();
        BaseEventLoop loop = loopWith(safe);
        long notOurChild = ProcessHandle.current().pid();
        CompletableFuture<Integer> code = new CompletableFuture<>();
        Integer got = Watchers.runOn(loop, () -> {
            safe.addChildHandler(notOurChild, (p, c) -> code.complete(c));
            return code.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null);
        });
        assertEquals(Integer.valueOf(255), got);
    }

    /** The same pid on the multiloop watcher (asyncio's MultiLoopChildWatcher._do_waitpid). */
    @Test
    public void multiloopWatcherReports255AtOnceForAPidThatIsNotOurChild() throws Exception {
        MultiLoopChildWatcher ml = new MultiLoopChildWatcher();
        BaseEventLoop loop = loopWith(ml);
        long notOurChild = ProcessHandle.current().pid();
        CompletableFuture<Integer> code = new CompletableFuture<>();
        Integer got = Watchers.runOn(loop, () -> {
            ml.addChildHandler(notOurChild, (p, c) -> code.complete(c));
            return code.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null);
        });
        assertEquals(Integer.valueOf(255), got);
    }

    /**
     * A watcher switch to the pidfd watcher while no main-context loop is set (loops run in other
     * threads). The pidfd watcher refused each child ("no running event loop"), which used to be in
     * neither watcher then, its exit never delivered and the child left a zombie; then it stayed with
     * the watcher it came from; now the pidfd watcher takes it and waits for it on a thread.
     */
    @Test
    public void switchingToThePidfdWatcherWithNoMainLoopLosesNoChild() throws Exception {
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        BaseEventLoop loop = loopWith(threaded);
        CompletableFuture<Integer> code = new CompletableFuture<>();
        long pid = spawnExiting7(threaded, loop, code);
        dev.loopkit.watcher.pidfd.PidfdChildWatcher pidfd = new dev.loopkit.watcher.pidfd.PidfdChildWatcher();
        cleanup.add(pidfd::close);
        RuntimeException thrown = null;
        try {
            ((DefaultEventLoopPolicy) Asyncio.getEventLoopPolicy()).setChildWatcher(pidfd); // from the test thread
        } catch (RuntimeException e) {
            thrown = e;
        }
        String where = "threaded holds " + threaded.children().keySet() + ", pidfd holds " + pidfd.children().keySet()
                + ", orphans " + ProcessWide.get().watcherSwitch().orphans().keySet() + ", setChildWatcher threw " + thrown;
        // the loop runs again: the exit must reach the handler, through whichever watcher holds the child
        Integer got = Watchers.runOn(loop, () -> code.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null));
        assertEquals("exit of pid " + pid + " after the switch; " + where + "; /proc state now: " + procState(pid),
                Integer.valueOf(7), got);
    }

    /**
     * Bad luck: setChildWatcher with a watcher that was already closed, which refuses the multiloop
     * watcher's child. The exit used to be lost (only a SEVERE log line); now the child stays with the
     * multiloop watcher, which stays attached and delivers it.
     */
    @Test
    public void switchingToAClosedWatcherKeepsTheChildrenWithTheOldWatcher() throws Exception {
        MultiLoopChildWatcher ml = new MultiLoopChildWatcher();
        BaseEventLoop loop = loopWith(ml);
        CompletableFuture<Integer> code = new CompletableFuture<>();
        long pid = spawnExiting7(ml, loop, code);
        ThreadedChildWatcher closed = new ThreadedChildWatcher();
        closed.close();
        RuntimeException thrown = null;
        List<String> said;
        try (LogCapture log = LogCapture.of("dev.loopkit.runtime")) {
            ((DefaultEventLoopPolicy) Asyncio.getEventLoopPolicy()).setChildWatcher(closed);
            said = log.messages();
        } catch (RuntimeException e) {
            thrown = e;
            said = List.of();
        }
        String where = "multiloop holds " + ml.children().keySet() + ", closed threaded holds " + closed.children().keySet()
                + ", orphans " + ProcessWide.get().watcherSwitch().orphans().keySet() + ", setChildWatcher threw " + thrown;
        Integer got = Watchers.runOn(loop, () -> code.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null));
        assertEquals("pid " + pid + ": " + where, Integer.valueOf(7), got);
        // the hand-over's count says what moved: the refused child did not (the INFO line said "1 children moved")
        assertTrue(said.toString(), said.stream().anyMatch(m -> m.contains("refused child " + pid)));
        assertTrue(said.toString(), said.stream().noneMatch(m -> m.contains("children moved")));
    }

    /**
     * The same with the fast watcher as the old one. It refuses a child outside a spawn scope ("Must use
     * the context manager"), and after giving its children away it stops reaping until attached again:
     * the child it was given back went to the orphanage, which reaps nothing, and its exit waited for
     * the next switch (a zombie until then).
     */
    @Test
    public void switchingFromTheFastWatcherToAClosedWatcherKeepsTheChildrenWithIt() throws Exception {
        FastChildWatcher fast = new FastChildWatcher();
        BaseEventLoop loop = loopWith(fast);
        CompletableFuture<Integer> code = new CompletableFuture<>();
        long pid = spawnExiting7(fast, loop, code);
        ThreadedChildWatcher closed = new ThreadedChildWatcher();
        closed.close();
        ((DefaultEventLoopPolicy) Asyncio.getEventLoopPolicy()).setChildWatcher(closed);
        String where = "fast holds " + fast.children().keySet() + ", orphans "
                + ProcessWide.get().watcherSwitch().orphans().keySet();
        Integer got = Watchers.runOn(loop, () -> code.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null));
        assertEquals("pid " + pid + ": " + where + "; /proc state now: " + procState(pid), Integer.valueOf(7), got);
    }

    /**
     * The main loop closed (its platform stopped for good), and the switch that follows goes to the pidfd
     * watcher, with no loop to give it: it refused the child, which went back to the safe watcher, whose
     * loop is closed. The exit never came (an outside review's Pax Exam test, in Felix). In a hand-over
     * with no loop the pidfd watcher now waits for the child on a thread, as for a child whose loop closed.
     */
    @Test
    public void switchingToThePidfdWatcherAfterTheMainLoopClosedStillDeliversTheExit() throws Exception {
        SafeChildWatcher safe = new SafeChildWatcher();
        BaseEventLoop loop = loopWith(safe);
        CompletableFuture<Integer> code = new CompletableFuture<>();
        long pid = spawnExiting7(safe, loop, code);
        loop.close();
        dev.loopkit.watcher.pidfd.PidfdChildWatcher pidfd = new dev.loopkit.watcher.pidfd.PidfdChildWatcher();
        cleanup.add(pidfd::close);
        ((DefaultEventLoopPolicy) Asyncio.getEventLoopPolicy()).setChildWatcher(pidfd);
        String where = "safe holds " + safe.children().keySet() + ", pidfd holds " + pidfd.children().keySet();
        Integer got = code.completeOnTimeout(null, 10, TimeUnit.SECONDS).get();
        assertEquals("pid " + pid + ": " + where + "; /proc state now: " + procState(pid), Integer.valueOf(7), got);
    }

    /** Spawns {@code sh -c "sleep 1; exit 7"} from the loop in {@code watcher}'s spawn scope; its exit completes {@code code}. */
    private static long spawnExiting7(ChildWatcher watcher, BaseEventLoop loop, CompletableFuture<Integer> code) {
        return Watchers.runOn(loop, () -> {
            try (SpawnScope scope = watcher.enterSpawn()) {
                long p = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "sleep 1; exit 7"));
                watcher.addChildHandler(p, (x, c) -> code.complete(c));
                return CompletableFuture.completedFuture(p);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static String procState(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) + " (Z = zombie, never reaped)";
        } catch (java.io.IOException e) {
            return "gone";
        }
    }

    /**
     * Reentrancy: a handler that closes its watcher. For a child the threaded watcher got in a
     * hand-over (no loop), the handler runs on the watcher's own waiting thread, and close() waited up
     * to 5 s for that very thread to end: the handler always stalled 5 s.
     */
    @Test
    public void aHandedOverChildsHandlerThatClosesTheThreadedWatcherDoesNotStall() throws Exception {
        MultiLoopChildWatcher ml = new MultiLoopChildWatcher();
        BaseEventLoop loop = loopWith(ml);
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        cleanup.add(threaded::close);
        CompletableFuture<Long> closeMillis = new CompletableFuture<>();
        Watchers.runOn(loop, () -> {
            try (SpawnScope scope = ml.enterSpawn()) {
                long p = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "sleep 0.5"));
                ml.addChildHandler(p, (x, c) -> {
                    long start = System.nanoTime();
                    threaded.close();
                    closeMillis.complete((System.nanoTime() - start) / 1_000_000);
                });
                return CompletableFuture.completedFuture(p);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ((DefaultEventLoopPolicy) Asyncio.getEventLoopPolicy()).setChildWatcher(threaded);
        long took = closeMillis.get(20, TimeUnit.SECONDS);
        // the stall was the pool's whole 5 s wait; under load a close may take a second on its own
        assertTrue("close() from the handler took " + took + " ms", took < 4000);
    }
}
