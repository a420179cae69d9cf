package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static dev.loopkit.watcher.tests.LoopWork.await;
import static dev.loopkit.watcher.tests.LoopWork.on;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The main context's loop is replaced (its policy changed, its loop bundle stopped: the platform's
 * {@code MainLoop} makes a new one and calls {@code setEventLoop}, which attaches the current
 * watcher) while a watcher swap is under way, with real watchers and a real child. The interleaving
 * HotSwapIT met under load is forced here with the spawn gate held:
 *
 * <ol>
 * <li>the safe watcher holds a child and is attached to the old main loop, which closes: nobody
 * sweeps, the child's exit waits as a zombie;</li>
 * <li>the fast watcher becomes current, and the switch that would move the child to it waits for the
 * gate (a spawn holds it);</li>
 * <li>the new main loop is set in the main context.</li>
 * </ol>
 *
 * Attaching the fast watcher there and then, before it holds the child, lets its {@code waitpid(-1)}
 * reap the safe watcher's child: the exit is lost (or, had safe reaped next, reported as 255).
 */
public class MainLoopReplacedDuringSwapTest {

    private static final long DEADLINE_SECONDS = LoopWork.DEADLINE_SECONDS;
    private static final SubprocessOptions STDIN_ONLY = SubprocessOptions.defaults().withStdin(Redirect.PIPE)
            .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);

    private final RankedRegistry<ChildWatcher> watchers = ProcessWide.get().childWatchers();
    private final List<BaseEventLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final SafeChildWatcher safe = new SafeChildWatcher();
    private final FastChildWatcher fast = new FastChildWatcher();
    private final CountDownLatch releaseGate = new CountDownLatch(1);
    private LogCapture log;

    @Before
    public void setUp() {
        log = LoopWork.defaultPolicyAndLog();
    }

    @After
    public void tearDown() throws Exception {
        releaseGate.countDown();
        try {
            ProcessWide.get().mainContext().designate(null);
            watchers.setExplicit(null);
            Asyncio.setEventLoopPolicy(null);
            // queued, not asked of a running loop only: the new main loop may be about to start running
            for (BaseEventLoop loop : loops) {
                if (!loop.isClosed()) {
                    loop.callSoonThreadsafe(loop::stop);
                }
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
            }
            loops.forEach(BaseEventLoop::close);
            safe.close();
            fast.close();
        } finally {
            log.close();
        }
    }

    @Test
    public void aNewMainLoopSetWhileASwitchToTheFastWatcherWaitsLosesNoExit() throws Exception {
        replaceTheMainLoopDuringASwitchToTheFastWatcher(false);
    }

    /**
     * The other order: {@code setEventLoop} waits for the gate before the registry makes the fast
     * watcher current, so its hand-over runs first, with a watcher the registry never listed (safe was
     * current only by explicit choice) still holding the child. CI met this order once under load.
     */
    @Test
    public void aNewMainLoopWaitingForTheGateBeforeTheSwitchToTheFastWatcherLosesNoExit() throws Exception {
        replaceTheMainLoopDuringASwitchToTheFastWatcher(true);
    }

    private void replaceTheMainLoopDuringASwitchToTheFastWatcher(boolean mainLoopFirst) throws Exception {
        BaseEventLoop user = startLoop("user");
        BaseEventLoop oldMain = startLoop("old-main");
        ProcessWide.get().mainContext().designate(threadOf(oldMain), oldMain);
        watchers.setExplicit(safe); // the switch attaches it to the main loop
        Recording child = new Recording();
        SubprocessTransport transport = on(user, () -> user.subprocessExec(() -> child,
                List.of("/bin/sh", "-c", "read x; exit 7"), STDIN_ONLY).toCompletableFuture());
        long pid = transport.getPid();
        assertEquals("safe holds the child", List.of(pid), List.copyOf(safe.children().keySet()));

        // 1. the old main loop ends as MainLoop ends it; then the child exits, and nobody sweeps
        oldMain.callSoonThreadsafe(oldMain::stop);
        assertTrue(Leaks.await(() -> !oldMain.isRunning(), DEADLINE_SECONDS));
        ProcessWide.get().mainContext().designate(null);
        oldMain.close();
        on(user, () -> {
            transport.getPipeTransport(0).close(); // stdin closes: the child exits
            return CompletableFuture.completedFuture(null);
        });
        assertTrue("pid " + pid + " exited, unreaped", Leaks.await(() -> isZombie(pid), DEADLINE_SECONDS));

        // 2. a spawn holds the gate; the fast watcher becomes current, and its switch waits
        CountDownLatch gateHeld = new CountDownLatch(1);
        start("spawn-holding-the-gate", () -> ProcessWide.get().spawn(() -> null, watcher -> {
            gateHeld.countDown();
            return releaseGate.await(DEADLINE_SECONDS, TimeUnit.SECONDS);
        }));
        assertTrue(gateHeld.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
        Thread registrySwitch = thread("registry-switch", () -> watchers.setExplicit(fast));
        if (!mainLoopFirst) {
            registrySwitch.start();
            assertTrue(Leaks.await(() -> watchers.current() == fast, DEADLINE_SECONDS));
        }

        // 3. the new main loop, set in the main context as MainLoop sets it, then run
        BaseEventLoop newMain = new SelectorEventLoop();
        loops.add(newMain);
        CompletableFuture<Void> setReturned = new CompletableFuture<>();
        Thread mainThread = thread("new-main", () -> {
            Asyncio.getEventLoopPolicy().setEventLoop(newMain);
            setReturned.complete(null);
            newMain.runForever();
        });
        ProcessWide.get().mainContext().designate(mainThread, newMain);
        mainThread.start();
        if (mainLoopFirst) {
            assertTrue(Leaks.await(() -> waitsForTheGate(mainThread), DEADLINE_SECONDS));
            registrySwitch.start();
            assertTrue(Leaks.await(() -> watchers.current() == fast && waitsForTheGate(registrySwitch), DEADLINE_SECONDS));
        } else {
            // either setEventLoop attached at once, or it waits for the gate, as a switch does
            assertTrue(Leaks.await(() -> setReturned.isDone() || mainThread.getState() == Thread.State.WAITING,
                    DEADLINE_SECONDS));
        }
        releaseGate.countDown();

        Integer returncode;
        try {
            returncode = await(child.exited, "the exit of pid " + pid);
        } catch (AssertionError hung) {
            throw new AssertionError(hung.getMessage() + ": " + diagnosis(pid), hung);
        }
        assertEquals("pid " + pid + "'s exit, once, with its code", Integer.valueOf(7), returncode);
        assertEquals(List.of("connectionMade", "processExited 7"), child.events);
        assertEquals("no exit taken by a watcher that did not hold the child", List.of(), log.messages().stream()
                .filter(m -> m.contains("unknown pid") || m.contains("Unknown child process")).toList());
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** A loop running on a thread of its own. */
    private BaseEventLoop startLoop(String name) {
        BaseEventLoop loop = new SelectorEventLoop();
        loops.add(loop);
        start(name, loop::runForever);
        assertTrue(Leaks.await(loop::isRunning, DEADLINE_SECONDS));
        return loop;
    }

    private Thread threadOf(BaseEventLoop loop) {
        return threads.get(loops.indexOf(loop));
    }

    private interface Work {
        void run() throws Exception;
    }

    private Thread start(String name, Work work) {
        Thread thread = thread(name, work);
        thread.start();
        return thread;
    }

    /** A thread of this test, not started yet. */
    private Thread thread(String name, Work work) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "swap-race-" + name);
        threads.add(thread);
        return thread;
    }

    /** What a lost exit leaves to look at: the child's state, who holds it, what was logged, where this test's threads are. */
    private String diagnosis(long pid) {
        StringBuilder text = new StringBuilder("pid ").append(pid).append(isZombie(pid) ? " is a zombie"
                : Files.exists(Path.of("/proc/" + pid)) ? " runs" : " was reaped");
        text.append("; safe holds ").append(safe.children().keySet()).append(", fast ").append(fast.children().keySet())
                .append(", the orphanage ").append(ProcessWide.get().watcherSwitch().orphans().keySet())
                .append("; current watcher ").append(watchers.current()).append("; log ").append(log.messages());
        for (Thread thread : threads) {
            StackTraceElement[] stack = thread.getStackTrace();
            text.append("; thread ").append(thread.getName()).append(' ').append(thread.getState())
                    .append(List.of(stack).subList(0, Math.min(8, stack.length)));
        }
        return text.toString();
    }

    /** Whether {@code thread} waits to take the spawn gate for a switch. */
    private static boolean waitsForTheGate(Thread thread) {
        return thread.getState() == Thread.State.WAITING && List.of(thread.getStackTrace()).stream()
                .anyMatch(frame -> frame.getMethodName().equals("switchWatchers"));
    }

    /** Whether {@code pid} exited and waits to be reaped ({@code /proc/<pid>/stat}: state Z). */
    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }
}
