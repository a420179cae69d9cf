package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Test;

/**
 * A closed watcher takes no child: it refuses the registration, and a spawn or a switch that meets it
 * keeps the child where it can still be reaped (an outside review found the pidfd and safe watchers
 * taking children they would never deliver).
 */
public class ClosedWatcherTest {

    private static final Posix POSIX = Posix.get();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    /**
     * A closed pidfd watcher said it was active (asyncio's always is), so a loop spawned through it; if
     * that loop closed before the child exited, the exit was neither delivered nor warned about, and the
     * child stayed a zombie. Closed, it is inactive now, and the spawn is refused before any child is made.
     */
    @Test
    public void aClosedPidfdWatcherIsInactiveAndASpawnThroughItMakesNoChild() throws Exception {
        assumeTrue("pidfd_open is unavailable here: " + POSIX.pidfdUnsupportedReason(), POSIX.pidfdSupported());
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        BaseEventLoop loop = Watchers.loopWith(pidfd, cleanup);
        pidfd.close();
        assertFalse("a closed pidfd watcher says it is active", pidfd.isActive());
        long childrenBefore = ProcessHandle.current().children().count();
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        RuntimeException refused = assertThrows(RuntimeException.class, () -> Watchers.runOn(loop,
                () -> Subprocesses.createSubprocessExec(loop, List.of("/bin/sleep", "60"), quiet, 1024)));
        assertTrue(String.valueOf(refused), String.valueOf(refused).contains("the child watcher is not activated"));
        assertEquals("children of this JVM", childrenBefore, ProcessHandle.current().children().count());
    }

    /**
     * ChildrenNeverLostTest.switchingToAClosedWatcherKeepsTheChildrenWithTheOldWatcher with a closed
     * pidfd watcher and no main loop: the closed watcher took the child handed over, and dropped it.
     * Refused, the child stays with the old watcher, which delivers its exit.
     */
    @Test
    public void switchingToAClosedPidfdWatcherWithNoMainLoopLosesNoChild() throws Exception {
        assumeTrue("pidfd_open is unavailable here: " + POSIX.pidfdUnsupportedReason(), POSIX.pidfdSupported());
        MultiLoopChildWatcher ml = new MultiLoopChildWatcher();
        BaseEventLoop loop = Watchers.loopWith(ml, cleanup);
        CompletableFuture<Integer> code = new CompletableFuture<>();
        long pid = Watchers.runOn(loop, () -> {
            try (SpawnScope scope = ml.enterSpawn()) {
                long p = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "sleep 1; exit 7"));
                ml.addChildHandler(p, (x, c) -> code.complete(c));
                return CompletableFuture.completedFuture(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        PidfdChildWatcher closed = new PidfdChildWatcher();
        closed.close();
        RuntimeException thrown = null;
        try {
            Asyncio.setChildWatcher(closed); // from the test thread, no main loop designated
        } catch (RuntimeException e) {
            thrown = e;
        }
        String where = "multiloop holds " + ml.children().keySet() + ", closed pidfd holds " + closed.children().keySet()
                + ", orphans " + ProcessWide.get().watcherSwitch().orphans().keySet() + ", setChildWatcher threw " + thrown;
        Integer got = Watchers.runOn(loop, () -> code.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null));
        String state = Watchers.procState(pid);
        if (got == null) {
            try {
                POSIX.waitpid(pid, false);
            } catch (Exception ignored) {
                // reaped after all
            }
        }
        assertEquals("pid " + pid + ": " + where + "; /proc " + state, Integer.valueOf(7), got);
    }

    /**
     * The user closes the safe watcher on another thread while a loop spawns through it, after the
     * spawn's isActive() and before its addChildHandler (forced, as WatcherClosedDuringSpawnTest does):
     * the closed watcher took the child, detached, and its exit never came. It refuses it now, as the
     * threaded watcher does, and the spawn kills and reaps the child it made.
     */
    @Test
    public void aSafeWatcherClosedDuringASpawnRefusesTheChildAndTheSpawnReapsIt() throws Exception {
        CompletableFuture<Void> closedElsewhere = new CompletableFuture<>();
        SafeChildWatcher[] self = new SafeChildWatcher[1];
        SafeChildWatcher safe = new SafeChildWatcher() {
            @Override
            public boolean isActive() {
                boolean active = super.isActive();
                boolean underTheGate = Arrays.stream(new Throwable().getStackTrace())
                        .anyMatch(frame -> frame.getMethodName().equals("spawnAndRegister"));
                if (active && underTheGate && !closedElsewhere.isDone()) {
                    Thread closer = new Thread(() -> {
                        self[0].close();
                        closedElsewhere.complete(null);
                    }, "user-closes-watcher");
                    closer.start();
                    try {
                        closer.join(10_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return active;
            }
        };
        self[0] = safe;
        BaseEventLoop loop = Watchers.loopWith(safe, cleanup);
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        Set<Long> childrenBefore = childrenOfThisJvm();
        RuntimeException refused = assertThrows(RuntimeException.class, () -> Watchers.runOn(loop,
                () -> loop.subprocessExec(Recording::new, List.of("/bin/sh", "-c", "sleep 30"), quiet)));
        assertTrue("closed during the spawn", closedElsewhere.isDone());
        assertTrue(String.valueOf(refused), String.valueOf(refused).contains("SafeChildWatcher is closed: it takes no more children"));
        assertTrue("children of this JVM now " + childrenOfThisJvm() + ", before " + childrenBefore,
                Leaks.await(() -> childrenOfThisJvm().equals(childrenBefore), 10));
    }

    private static Set<Long> childrenOfThisJvm() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}
