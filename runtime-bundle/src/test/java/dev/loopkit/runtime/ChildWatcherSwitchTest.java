package dev.loopkit.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.SpawnScope;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The watcher switch alone, with fakes for what it is given: watchers that write what is done to them
 * in one journal, a main loop that is only an identity and a closed flag, and a registry fed by hand.
 * The hand-over's order is the protocol (docs/HANDOVER.md), so the tests read the journal.
 */
public class ChildWatcherSwitchTest {

    private static final long DEADLINE_SECONDS = 30;

    private final List<String> journal = new ArrayList<>();
    private final AtomicBoolean mainLoopClosed = new AtomicBoolean();
    private final EventLoop mainLoop = fakeLoop("main", mainLoopClosed);
    private EventLoop currentMainLoop = mainLoop;
    private final RankedRegistry<ChildWatcher> watchers = new RankedRegistry<>(ChildWatcher.class, "child watcher", null);
    private final SpawnGate gate = new SpawnGate();
    private final ChildWatcherSwitch watcherSwitch = new ChildWatcherSwitch(gate, watchers, () -> currentMainLoop);
    private long ids;

    @Before
    public void noServiceLoader() {
        watchers.attachExternalSource("test");
    }

    @Test
    public void theNewWatcherIsAttachedBeforeTheOldOneHandsOverThenTheOldOneIsDetached() {
        FakeWatcher old = register(new FakeWatcher("old", false), 10);
        old.children.put(101L, (pid, returncode) -> { });
        FakeWatcher next = new FakeWatcher("next", false);
        journal.clear();
        register(next, 20);
        watcherSwitch.reconcile(old, "test");
        assertEquals(List.of("next: enter spawn", "next: attach main", "old: hand over to next", "next: add 101",
                "next: leave spawn", "old: detach"), journal);
        assertEquals(Map.of(), old.children);
        assertEquals(List.of(101L), List.copyOf(next.children.keySet()));
    }

    /** The fast watcher's waitpid(-1) attached early could take an exit the old watcher is about to reap. */
    @Test
    public void aWatcherThatReapsOthersChildrenIsAttachedOnlyOnceItHoldsThem() {
        FakeWatcher old = register(new FakeWatcher("old", false), 10);
        old.children.put(101L, (pid, returncode) -> { });
        FakeWatcher fast = new FakeWatcher("fast", true);
        journal.clear();
        register(fast, 20);
        watcherSwitch.reconcile(old, "test");
        assertEquals(List.of("fast: enter spawn", "old: hand over to fast", "fast: add 101", "fast: attach main",
                "fast: leave spawn", "old: detach"), journal);
    }

    /** What monitoring (JFR's watcher-swap event) is told: from, to, children moved, why; the orphanage is null. */
    @Test
    public void listenersAreToldWhatEachHandOverDid() {
        List<String> told = new ArrayList<>();
        watcherSwitch.addHandOverListener((from, to, moved, reason) ->
                told.add(name(from) + " -> " + name(to) + ": " + moved + " (" + reason + ")"));
        FakeWatcher old = register(new FakeWatcher("old", false), 10);
        old.children.put(101L, (pid, returncode) -> { });
        old.children.put(102L, (pid, returncode) -> { });
        FakeWatcher next = register(new FakeWatcher("next", false), 20);
        watcherSwitch.reconcile(old, "ranking");
        watchers.unregister(next);
        watchers.unregister(old);
        watcherSwitch.reconcile(next, "gone");
        assertEquals(List.of("old -> next: 2 (ranking)", "next -> none: 2 (gone)"), told);
    }

    /**
     * A watcher's own code changes the choice while the switch attaches it (here it registers a
     * watcher that ranks higher): the registry's listener runs a switch inside this one, on the same
     * thread, to the newer choice. The outer switch then went on with the watcher it had chosen,
     * moved the children back to it and left it answered as the watcher in use, the newer choice
     * holding nothing (an outside review's probe: every later spawn met a closed watcher).
     */
    @Test
    public void aChoiceChangedByTheAttachedWatchersOwnCodeEndsWithTheChildren() {
        watchers.addListener((previous, current) -> watcherSwitch.reconcile(previous, "the choice changed"));
        FakeWatcher old = register(new FakeWatcher("old", false), 10);
        old.children.put(101L, (pid, returncode) -> { });
        FakeWatcher later = new FakeWatcher("later", false);
        FakeWatcher next = new FakeWatcher("next", false);
        next.duringAttach = () -> {
            if (watchers.entryOf(later).isEmpty()) {
                register(later, 30);
            }
        };
        register(next, 20);
        assertEquals(later, watchers.current());
        assertEquals(later, watcherSwitch.inUse());
        assertEquals(List.of(101L), List.copyOf(later.children.keySet()));
        assertEquals(Map.of(), next.children);
        assertEquals(Map.of(), old.children);
    }

    /** An anonymous watcher has no simple name: messages said "(: it is closed)" of it (an outside review's probe). */
    @Test
    public void aWatcherOutsideTheRegistryIsNamedByItsClassEvenAnAnonymousOne() {
        assertEquals("FakeWatcher", watcherSwitch.describe(new FakeWatcher("unregistered", false)));
        ChildWatcher anonymous = new FakeWatcher("anonymous", false) { };
        assertEquals(anonymous.getClass().getName(), watcherSwitch.describe(anonymous));
    }

    private static String name(ChildWatcher watcher) {
        return watcher == null ? "none" : ((FakeWatcher) watcher).name;
    }

    @Test
    public void withNoWatcherTheChildrenWaitInTheOrphanageForTheNextOne() {
        FakeWatcher only = register(new FakeWatcher("only", false), 10);
        ChildHandler handler = (pid, returncode) -> { };
        only.children.put(7L, handler);
        watchers.unregister(only);
        watcherSwitch.reconcile(only, "test");
        assertEquals(Map.of(7L, handler), watcherSwitch.orphans());
        assertEquals(Map.of(), only.children);

        FakeWatcher next = register(new FakeWatcher("next", false), 10);
        watcherSwitch.reconcile(null, "test");
        assertEquals(Map.of(), watcherSwitch.orphans());
        assertEquals(Map.of(7L, handler), next.children);
    }

    /** Notifications come out of order from several threads: a watcher that left still holding children is emptied by the next switch. */
    @Test
    public void aWatcherSeenBeforeIsEmptiedByALaterSwitchEvenIfItsOwnNotificationNeverCame() {
        FakeWatcher first = register(new FakeWatcher("first", false), 10);
        watcherSwitch.reconcile(null, "test"); // the switch has now seen "first"
        FakeWatcher second = register(new FakeWatcher("second", false), 20);
        first.children.put(5L, (pid, returncode) -> { }); // registered by a spawn that looked "first" up before
        watchers.unregister(first);
        watcherSwitch.reconcile(null, "a notification about something else");
        assertEquals(List.of(5L), List.copyOf(second.children.keySet()));
        assertEquals(Map.of(), first.children);
    }

    /**
     * A spawn registering with a watcher that is no longer current (another thread made another one
     * current, and that thread's switch waits for the spawn): retiring the watcher waits for the spawn
     * and takes its child, so the watcher may close after it.
     */
    @Test
    public void retiringAWatcherWaitsForTheSpawnThroughItAndMovesItsChild() throws Exception {
        FakeWatcher leaving = register(new FakeWatcher("leaving", false), 10);
        CountDownLatch inGate = new CountDownLatch(1);
        CountDownLatch registerNow = new CountDownLatch(1);
        Thread spawning = new Thread(() -> gate.spawn(() -> leaving, watcher -> {
            inGate.countDown();
            awaitLatch(registerNow);
            watcher.addChildHandler(101, (pid, returncode) -> { });
            return null;
        }), "spawning");
        spawning.start();
        assertTrue(inGate.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
        FakeWatcher next = register(new FakeWatcher("next", false), 20); // current; no switch ran for it
        watchers.unregister(leaving); // not current: no switch away from it either
        Thread retiring = new Thread(() -> watcherSwitch.retire(leaving, "test"), "retiring");
        retiring.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        // for the gate, which the spawn holds (a retirement that ends without waiting leaves the child behind)
        while (retiring.getState() != Thread.State.WAITING && retiring.isAlive()) {
            assertTrue("hung: the retiring thread never waited for the gate", System.nanoTime() < deadline);
            Thread.onSpinWait();
        }
        registerNow.countDown();
        spawning.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
        retiring.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
        assertFalse(retiring.isAlive());
        assertEquals("nothing left with the retired watcher", Map.of(), leaving.children);
        assertEquals(List.of(101L), List.copyOf(next.children.keySet()));
    }

    /** Nothing to move: retiring a watcher that holds no child moves none and tells no listener. */
    @Test
    public void retiringAWatcherWithoutChildrenTellsNoListener() {
        FakeWatcher leaving = register(new FakeWatcher("leaving", false), 10);
        register(new FakeWatcher("next", false), 20);
        List<String> told = new ArrayList<>();
        watcherSwitch.addHandOverListener((from, to, moved, reason) -> told.add(reason));
        journal.clear();
        watchers.unregister(leaving);
        watcherSwitch.retire(leaving, "test");
        assertEquals(List.of(), told);
        assertEquals(List.of(), journal);
    }

    @Test
    public void aClosedMainLoopIsNotAttachedAndNoMainLoopIsNoFailure() {
        FakeWatcher old = register(new FakeWatcher("old", false), 10);
        FakeWatcher next = new FakeWatcher("next", false);
        register(next, 20);
        mainLoopClosed.set(true);
        journal.clear();
        watcherSwitch.reconcile(old, "test");
        assertFalse(journal.toString(), journal.contains("next: attach main"));

        currentMainLoop = null;
        FakeWatcher third = register(new FakeWatcher("third", false), 30);
        journal.clear();
        watcherSwitch.reconcile(next, "test");
        assertFalse(journal.toString(), journal.stream().anyMatch(line -> line.startsWith("third: attach")));
        assertTrue(journal.toString(), journal.contains("next: detach"));
    }

    /** A watcher that fails to attach must still get the children: the old one's bundle is stopping. */
    @Test
    public void aFailedAttachStillMovesTheChildrenAndIsLoggedOnceTheGateIsOpen() {
        FakeWatcher old = register(new FakeWatcher("old", false), 10);
        old.children.put(9L, (pid, returncode) -> { });
        FakeWatcher broken = new FakeWatcher("broken", false);
        broken.attachFails = true;
        register(broken, 20);
        // a log handler may block: nothing may be logged while spawns wait for the gate
        List<String> logged = logOf(() -> watcherSwitch.reconcile(old, "test"),
                record -> record.getMessage() + (gate.switchingInThisThread() ? " UNDER THE GATE" : ""));
        assertEquals(List.of(9L), List.copyOf(broken.children.keySet()));
        assertTrue(logged.toString(), logged.stream().anyMatch(line -> line.startsWith("attaching 'broken' to main failed")));
        assertFalse(logged.toString(), logged.stream().anyMatch(line -> line.endsWith("UNDER THE GATE")));
    }

    /**
     * The main context's setEventLoop while the registry has made the fast watcher current and the
     * switch that moves the children to it has not run yet (it waits for the gate): the children move
     * first, then the fast watcher is attached, as in a switch. Attached at once (as setEventLoop did
     * before), its waitpid(-1) reaped the old watcher's children: MainLoopReplacedDuringSwapTest.
     */
    @Test
    public void theMainContextsNewLoopGetsTheCurrentWatcherOnlyOnceItHoldsEveryChild() {
        FakeWatcher old = register(new FakeWatcher("old", false), 10);
        old.children.put(101L, (pid, returncode) -> { });
        FakeWatcher fast = register(new FakeWatcher("fast", true), 20); // current; its switch not run yet
        EventLoop newMain = fakeLoop("new main", new AtomicBoolean());
        journal.clear();
        watcherSwitch.attachMainContextLoop(newMain);
        assertEquals(List.of("fast: enter spawn", "old: hand over to fast", "fast: add 101", "fast: attach new main",
                "fast: leave spawn", "old: detach"), journal);

        journal.clear();
        watcherSwitch.attachMainContextLoop(null); // asyncio's set_event_loop(None): attach_loop(None)
        assertEquals(List.of("fast: enter spawn", "fast: leave spawn", "old: detach", "fast: detach"), journal);
    }

    /**
     * A watcher made current by an explicit choice alone is in none of the registry's entries. When
     * the main context's new loop gets the next current watcher before the switch away from it has run
     * (that switch waits for the gate), the explicit watcher's children must still move first: left
     * behind, the fast watcher's waitpid(-1) took their exits (MainLoopReplacedDuringSwapTest).
     */
    @Test
    public void aWatcherCurrentOnlyByExplicitChoiceIsEmptiedBeforeTheMainContextsNewLoopGetsTheNextOne() {
        FakeWatcher explicit = new FakeWatcher("explicit", false);
        watchers.setExplicit(explicit);
        watcherSwitch.reconcile(null, "set explicitly");
        explicit.children.put(101L, (pid, returncode) -> { });
        FakeWatcher fast = new FakeWatcher("fast", true);
        watchers.setExplicit(fast); // current; its switch not run yet
        EventLoop newMain = fakeLoop("new main", new AtomicBoolean());
        journal.clear();
        watcherSwitch.attachMainContextLoop(newMain);
        assertEquals(List.of("fast: enter spawn", "explicit: hand over to fast", "fast: add 101", "fast: attach new main",
                "fast: leave spawn", "explicit: detach"), journal);
    }

    /**
     * The main loop closing while a switch attaches to it (its policy changed, its bundle stopped) is
     * no failure to warn about: the main context attaches the current watcher to the next main loop.
     */
    @Test
    public void anAttachFailingBecauseTheMainLoopClosedMeanwhileIsNoWarning() {
        FakeWatcher next = register(new FakeWatcher("next", false), 20);
        next.attachFails = true;
        next.duringAttach = () -> mainLoopClosed.set(true);
        List<String> warnings = logOf(() -> watcherSwitch.reconcile(null, "test"),
                record -> record.getLevel().intValue() >= Level.WARNING.intValue() ? record.getMessage() : null);
        assertTrue(journal.toString(), journal.contains("next: attach main"));
        assertEquals(List.of(), warnings);
    }

    @Test
    public void aSwitchFromInsideASpawnIsRefusedRatherThanWaitingForItself() {
        register(new FakeWatcher("only", false), 10);
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> gate.spawn(watchers::current, watcher -> {
                    watcherSwitch.reconcile(null, "from a spawn");
                    return null;
                }));
        assertTrue(refused.getMessage(), refused.getMessage().startsWith("a child watcher switch cannot run while this thread registers a child"));
    }

    @Test
    public void watchersAreNamedAsTheRegistryKnowsThem() {
        FakeWatcher named = register(new FakeWatcher("named", false), 10);
        assertEquals("'named'", watcherSwitch.describe(named));
        assertEquals("FakeWatcher", watcherSwitch.describe(new FakeWatcher("unlisted", false)));
        assertEquals("none", watcherSwitch.describe(null));
    }

    @After
    public void noGateLeftHeld() {
        assertFalse(gate.switchingInThisThread());
    }

    /** What the switch logs while {@code work} runs, each record as {@code line} tells ({@code null}: left out). */
    private static List<String> logOf(Runnable work, Function<LogRecord, String> line) {
        List<String> logged = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String text = line.apply(record);
                if (text != null) {
                    logged.add(text);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.loopkit.runtime.registry");
        logger.addHandler(handler);
        try {
            work.run();
        } finally {
            logger.removeHandler(handler);
        }
        return logged;
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertTrue(latch.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private FakeWatcher register(FakeWatcher watcher, int ranking) {
        watchers.register(watcher, watcher.name, ranking, ++ids, "test");
        return watcher;
    }

    private EventLoop fakeLoop(String name, AtomicBoolean closed) {
        return (EventLoop) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {EventLoop.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isClosed" -> closed.get();
                    case "toString" -> name;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A watcher that only keeps its table and writes down what the switch does to it. */
    private class FakeWatcher implements ChildWatcher {
        final String name;
        final boolean reapsOthers;
        final Map<Long, ChildHandler> children = new HashMap<>();
        boolean attachFails;
        Runnable duringAttach = () -> { };

        FakeWatcher(String name, boolean reapsOthers) {
            this.name = name;
            this.reapsOthers = reapsOthers;
        }

        @Override
        public void addChildHandler(long pid, ChildHandler handler) {
            journal.add(name + ": add " + pid);
            children.put(pid, handler);
        }

        @Override
        public boolean removeChildHandler(long pid) {
            return children.remove(pid) != null;
        }

        @Override
        public void attachLoop(EventLoop loop) {
            if (loop == null) {
                journal.add(name + ": detach");
                return;
            }
            journal.add(name + ": attach " + loop);
            duringAttach.run();
            if (attachFails) {
                throw new IllegalStateException("cannot attach");
            }
        }

        @Override
        public boolean isActive() {
            return true;
        }

        @Override
        public boolean reapsOthersChildren() {
            return reapsOthers;
        }

        @Override
        public Map<Long, ChildHandler> children() {
            return Map.copyOf(children);
        }

        @Override
        public void handOverChildren(ChildWatcher successor) {
            ChildWatcher target = successor instanceof ChildWatcherSwitch.Successor next ? next.target() : successor;
            journal.add(name + ": hand over to " + (target instanceof FakeWatcher fake ? fake.name : "the orphanage"));
            ChildWatcher.super.handOverChildren(successor);
        }

        @Override
        public SpawnScope enterSpawn() {
            journal.add(name + ": enter spawn");
            return () -> journal.add(name + ": leave spawn");
        }

        @Override
        public void close() {
            journal.add(name + ": close");
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
