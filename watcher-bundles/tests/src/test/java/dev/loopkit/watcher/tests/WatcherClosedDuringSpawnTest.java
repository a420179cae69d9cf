package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
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
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A watcher service deactivated (SCR's {@code deactivate}, which closes it) while a loop is spawning
 * through it. HotSwapIT met "the threaded child watcher is closed" thrown from {@code addChildHandler}
 * to the user's spawn, on two paths:
 *
 * <ul>
 * <li>SCR closed the component before the runtime's tracker took it out of the registry: SCR does not
 * promise that order when a registration change runs on another thread ("Component deactivation
 * occuring on another thread": it deletes the component all the same).</li>
 * <li>The watcher had stopped being current a moment before its service went away: another thread
 * (SCR's component actor, which enables the pidfd watcher when its probe asks, as
 * {@code enableComponent} is asynchronous) made a higher-ranked watcher current, and that switch
 * still waited for the spawn to leave the gate. The
 * watcher leaving was then nobody's current one and held no child yet, so nothing waited for the
 * spawn before it closed.</li>
 * </ul>
 *
 * asyncio's {@code ThreadedChildWatcher.close()} does nothing (3.11+), so a spawn racing it there never
 * fails: the spawn must land on the watcher it looked up, the child then go to the current one, and
 * its exit be delivered once.
 *
 * <p>The interleavings are forced: the watcher's {@code isActive()}, asked by the spawn under the
 * gate, has the other threads do their part before it answers.
 */
public class WatcherClosedDuringSpawnTest {

    private static final long DEADLINE_SECONDS = LoopWork.DEADLINE_SECONDS;
    private static final AtomicInteger SERVICE_IDS = new AtomicInteger(2_000_000);
    private static final SubprocessOptions QUIET = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
            .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);

    private final RankedRegistry<ChildWatcher> watchers = ProcessWide.get().childWatchers();
    private final ThreadedChildWatcher next = new ThreadedChildWatcher();
    private final Leaving leaving = new Leaving();
    private final ThreadedChildWatcher higher = new ThreadedChildWatcher();
    private BaseEventLoop loop;
    private Thread runner;
    private LogCapture log;

    @Before
    public void setUp() {
        log = LoopWork.defaultPolicyAndLog();
        register(next);
        register(leaving); // ranked above: current
        loop = new SelectorEventLoop();
        runner = new Thread(loop::runForever, "closed-during-spawn-loop");
        runner.start();
        assertTrue(Leaks.await(loop::isRunning, DEADLINE_SECONDS));
    }

    @After
    public void tearDown() throws Exception {
        try {
            watchers.unregister(higher);
            watchers.unregister(leaving);
            watchers.unregister(next);
            Asyncio.setEventLoopPolicy(null);
            loop.callSoonThreadsafe(loop::stop);
            runner.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
            loop.close();
            leaving.close();
            next.close();
            higher.close();
        } finally {
            log.close();
        }
    }

    @Test
    public void aWatcherDeactivatedWhileALoopSpawnsThroughItHandsTheChildToTheNextOne() throws Exception {
        leaving.duringSpawn = () -> leaving.closeOn("scr-deactivating", leaving::deactivatedByScr);
        assertExitDeliveredOnceBy(next);
    }

    @Test
    public void aWatcherNoLongerCurrentWhenItsServiceGoesAwayWaitsForTheSpawnThroughItBeforeClosing() throws Exception {
        leaving.duringSpawn = () -> {
            // SCR's component actor enables a higher-ranked watcher: its switch waits for this spawn
            new Thread(() -> register(higher), "scr-component-actor").start();
            assertTrue(Leaks.await(() -> watchers.current() == higher, DEADLINE_SECONDS));
            // the bundle stops: the tracker retires the watcher, then SCR deactivates it
            leaving.closeOn("bundle-stopping", () -> {
                ProcessWide.get().retire(leaving);
                leaving.deactivatedByScr();
            });
        };
        assertExitDeliveredOnceBy(higher);
    }

    private void assertExitDeliveredOnceBy(ChildWatcher holder) throws Exception {
        assertEquals(leaving, watchers.current());
        Recording child = new Recording();
        SubprocessTransport transport = on(loop, () -> loop.subprocessExec(() -> child, List.of("/bin/sh", "-c", "exit 5"), QUIET));
        assertEquals("pid " + transport.getPid() + "'s exit, once, with its code", Integer.valueOf(5),
                await(child.exited, "the exit"));
        assertEquals(List.of("connectionMade", "processExited 5"), child.events);
        leaving.closer.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
        assertFalse("the watcher left closed", leaving.isActive());
        assertEquals(holder, watchers.current());
        assertEquals("nothing dropped by the closing watcher", List.of(), log.messages().stream()
                .filter(m -> m.contains("closed with registered but not finished")).toList());
    }

    private void register(ChildWatcher watcher) {
        int id = SERVICE_IDS.incrementAndGet();
        watchers.register(watcher, "closing-" + id, id, id, "WatcherClosedDuringSpawnTest");
    }

    /**
     * A threaded watcher that runs {@code duringSpawn} when the spawn asks it, under the gate, whether
     * it is active: the second question of the spawn (the first is asked before the protocol is made,
     * outside the gate).
     */
    private final class Leaving extends ThreadedChildWatcher {
        volatile Runnable duringSpawn;
        private final AtomicInteger asked = new AtomicInteger();
        volatile Thread closer;

        @Override
        public boolean isActive() {
            boolean active = super.isActive();
            if (duringSpawn != null && asked.incrementAndGet() == 2) {
                duringSpawn.run();
            }
            return active;
        }

        /** SCR's deactivate (protected, as SCR finds it). */
        void deactivatedByScr() {
            deactivate();
        }

        /** Closes this watcher with {@code closing} on another thread (SCR's), and waits until it did or waits for the spawn. */
        void closeOn(String thread, Runnable closing) {
            closer = new Thread(closing, thread);
            closer.start();
            // closed at once, or (retired first) waiting for the spawn to leave the gate
            assertTrue(Leaks.await(() -> !super.isActive()
                    || (watchers.current() != this && closer.getState() == Thread.State.WAITING), DEADLINE_SECONDS));
        }
    }
}
