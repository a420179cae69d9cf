package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static dev.loopkit.watcher.tests.LoopWork.await;
import static dev.loopkit.watcher.tests.LoopWork.into;
import static dev.loopkit.watcher.tests.LoopWork.on;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.posix.Posix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * A child watcher switch from any callback user code supplies (the protocol factory,
 * {@code connectionMade}, a done callback, another loop's callback) neither deadlocks nor loses or
 * repeats an exit, and a protocol factory that blocks holds up no other loop's spawn nor any switch:
 * asyncio runs all of that user code outside its {@code with watcher:} block, so Loopkit's spawn gate
 * must not cover it either.
 *
 * <p>The loop under test runs on its own thread and is the main context's loop, so that a switch
 * attaches the new watcher to it (the safe and fast watchers reap there); the test thread only waits,
 * with a generous deadline, so a deadlock fails the test instead of hanging the build.
 */
@RunWith(Parameterized.class)
public class WatcherSwitchReentrancyTest {

    private static final long DEADLINE_SECONDS = LoopWork.DEADLINE_SECONDS;
    private static final AtomicInteger SERVICE_IDS = new AtomicInteger(1_000_000);
    private static final SubprocessOptions QUIET = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
            .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);

    @Parameters(name = "{0} loop")
    public static List<Object[]> loops() {
        List<Object[]> cases = new ArrayList<>();
        for (Watchers.Loop loop : Watchers.Loop.values()) {
            cases.add(new Object[] {loop});
        }
        return cases;
    }

    private final Watchers.Loop loopKind;
    private final List<ChildWatcher> made = new CopyOnWriteArrayList<>();
    private final List<ChildWatcher> registered = new CopyOnWriteArrayList<>();
    private final AtomicInteger switches = new AtomicInteger();
    /** Every loop this test runs, and the thread that runs it. */
    private final Map<BaseEventLoop, Thread> runners = new LinkedHashMap<>();
    private Map<Integer, String> fdsBefore;
    private BaseEventLoop loop;
    private LogCapture log;

    public WatcherSwitchReentrancyTest(Watchers.Loop loopKind) {
        this.loopKind = loopKind;
    }

    @Before
    public void setUp() throws Exception {
        // what the JVM and the registry open once, on first use (the watchers ServiceLoader finds),
        // is not this test's
        ProcessWide.get().childWatchers().current();
        fdsBefore = Leaks.openFds();
        log = LogCapture.of("dev.loopkit.loop");
        loop = startLoop();
        ProcessWide.get().mainContext().designate(runners.get(loop), loop);
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy());
        Asyncio.setChildWatcher(nextWatcher());
    }

    @After
    public void tearDown() throws Exception {
        try {
            // the loops first: no callback of theirs may switch (or register a watcher) after this
            for (Map.Entry<BaseEventLoop, Thread> running : runners.entrySet()) {
                stopAndClose(running.getKey(), running.getValue());
            }
            // on another thread: before the fix, a deadlocked spawn kept this switch waiting forever
            await(CompletableFuture.runAsync(() -> {
                Asyncio.setChildWatcher(null); // closes the last one set, as asyncio does
                registered.forEach(ProcessWide.get().childWatchers()::unregister);
            }), "the switches after the test");
            Asyncio.setEventLoopPolicy(null);
            ProcessWide.get().mainContext().designate(null);
            made.forEach(ChildWatcher::close);
            assertTrue("children left behind: " + livingChildren(), Leaks.await(() -> livingChildren().isEmpty(), DEADLINE_SECONDS));
            assertTrue("waiting threads left: " + Leaks.threads("loopkit-waitpid-"),
                    Leaks.await(() -> Leaks.threads("loopkit-waitpid-").isEmpty(), DEADLINE_SECONDS));
            assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
        } finally {
            log.close();
        }
    }

    private static void stopAndClose(BaseEventLoop someLoop, Thread runner) throws InterruptedException {
        someLoop.callSoonThreadsafe(someLoop::stop);
        runner.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
        assertFalse("the loop thread " + runner.getName() + " is stuck (deadlocked?)", runner.isAlive());
        someLoop.close();
    }

    private static List<Long> livingChildren() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).toList();
    }

    // ---- watchers: a fresh one for every switch --------------------------------------------------------------

    /**
     * Threaded and pidfd watchers in turn: both are active as soon as they exist. A SIGCHLD watcher
     * (safe, fast, multiloop) is inactive from the moment the registry makes it current until the
     * switch attaches it, and a spawn in that moment fails, as asyncio's does with an inactive
     * watcher; HotSwapIT covers those kinds.
     */
    private ChildWatcher nextWatcher() {
        boolean pidfd = switches.getAndIncrement() % 2 == 1 && Posix.get().pidfdSupported();
        ChildWatcher watcher = (pidfd ? Watchers.Kind.PIDFD : Watchers.Kind.THREADED).factory.get();
        made.add(watcher);
        return watcher;
    }

    /**
     * A switch to a threaded watcher, for the cases where the main loop is blocked on purpose: the
     * pidfd watcher, handed children by a switch on a thread that runs no loop, watches them through
     * its attached loop (the main one), so their exits would wait for that loop.
     */
    private void switchToThreaded() {
        ChildWatcher watcher = Watchers.Kind.THREADED.factory.get();
        made.add(watcher);
        Asyncio.setChildWatcher(watcher);
    }

    /** {@code Asyncio.setChildWatcher}: the children of the watcher in use move to a new one. */
    private void switchWithSetChildWatcher() {
        Asyncio.setChildWatcher(nextWatcher());
    }

    /**
     * The registry's own path (a watcher bundle starting): a new watcher service, ranked above all
     * before it, becomes current.
     */
    private void switchThroughTheRegistry() {
        ProcessWide.get().childWatchers().setExplicit(null); // what setChildWatcher chose no longer overrides the ranking
        ChildWatcher service = nextWatcher();
        int id = SERVICE_IDS.incrementAndGet();
        registered.add(service);
        ProcessWide.get().childWatchers().register(service, "reentrancy-" + id, id, id, "WatcherSwitchReentrancyTest");
    }

    // ---- running things -------------------------------------------------------------------------------------

    /** A new loop of the kind under test, running on its own thread. */
    private BaseEventLoop startLoop() {
        BaseEventLoop started = loopKind.factory.get();
        Thread runner = new Thread(started::runForever, "reentrancy-loop-" + runners.size());
        runners.put(started, runner);
        runner.start();
        assertTrue(Leaks.await(started::isRunning, DEADLINE_SECONDS));
        return started;
    }

    private static CompletionStage<SubprocessTransport> spawnExit(BaseEventLoop someLoop, Recording protocol, int code) {
        return someLoop.subprocessExec(() -> protocol, List.of("/bin/sh", "-c", "exit " + code), QUIET);
    }

    /** The child's exit arrived once, after connectionMade, with its code. */
    private void assertExitedOnce(Recording protocol, int code) throws Exception {
        assertEquals(Integer.valueOf(code), await(protocol.exited, "the exit of a child"));
        assertEquals(List.of("connectionMade", "processExited " + code), protocol.events);
        assertNoExitReportedTwice();
    }

    private void assertNoExitReportedTwice() {
        assertEquals("no exit reported twice", List.of(), log.messages().stream()
                .filter(m -> m.contains("reported exited twice")).toList());
    }

    // ---- a switch from each callback ------------------------------------------------------------------------

    @Test
    public void aSwitchFromConnectionMade() throws Exception {
        Recording protocol = new Recording(this::switchWithSetChildWatcher);
        on(loop, () -> spawnExit(loop, protocol, 3));
        assertExitedOnce(protocol, 3);
    }

    @Test
    public void aRegistrySwitchFromConnectionMade() throws Exception {
        Recording protocol = new Recording(this::switchThroughTheRegistry);
        on(loop, () -> spawnExit(loop, protocol, 4));
        assertExitedOnce(protocol, 4);
    }

    @Test
    public void aSwitchFromTheProtocolFactory() throws Exception {
        Recording protocol = new Recording(() -> { });
        on(loop, () -> loop.subprocessExec(() -> {
            switchWithSetChildWatcher();
            switchThroughTheRegistry();
            return protocol;
        }, List.of("/bin/sh", "-c", "exit 5"), QUIET));
        assertExitedOnce(protocol, 5);
    }

    @Test
    public void aSwitchFromTheSpawnsDoneCallbacks() throws Exception {
        Recording protocol = new Recording(() -> { });
        CompletableFuture<String> seen = new CompletableFuture<>();
        // the loop waits while the callbacks are added from here, so they are there when the spawn completes
        CountDownLatch added = new CountDownLatch(1);
        loop.callSoonThreadsafe(() -> awaitQuietly(added));
        CompletionStage<SubprocessTransport> spawned = spawnExit(loop, protocol, 6);
        // asyncio's done callback (through callSoon) and a JDK dependent (run by whoever completes it)
        ((LoopFuture<SubprocessTransport>) spawned).addDoneCallback(f -> switchThroughTheRegistry());
        spawned.whenComplete((transport, error) -> {
            switchWithSetChildWatcher();
            seen.complete(String.join(",", protocol.events));
        });
        added.countDown();
        assertEquals("the spawn's future completes once connectionMade ran", "connectionMade",
                await(seen, "the done callback").split(",")[0]);
        assertExitedOnce(protocol, 6);
    }

    @Test
    public void switchesFromAnotherLoopWhileAHundredSpawnsRun() throws Exception {
        BaseEventLoop other = startLoop();
        int total = 100;
        List<Recording> protocols = new ArrayList<>();
        CompletableFuture<Void> spawned = new CompletableFuture<>();
        CompletableFuture<Void> switching = new CompletableFuture<>();
        AtomicInteger started = new AtomicInteger();
        // the other loop switches over and over, both ways, until every child is spawned
        Runnable[] switchAgain = new Runnable[1];
        switchAgain[0] = () -> {
            if (switches.get() % 2 == 0) {
                switchWithSetChildWatcher();
            } else {
                switchThroughTheRegistry();
            }
            if (spawned.isDone()) {
                switching.complete(null);
            } else {
                other.callLater(0.01, switchAgain[0]);
            }
        };
        other.callSoonThreadsafe(switchAgain[0]);
        on(loop, () -> {
            List<CompletableFuture<SubprocessTransport>> all = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                // every tenth protocol switches from connectionMade as well
                Recording protocol = new Recording(i % 10 == 0 ? this::switchWithSetChildWatcher : () -> { });
                protocols.add(protocol);
                all.add(spawnExit(loop, protocol, i % 7).whenComplete((t, e) -> started.incrementAndGet())
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((x, e) -> spawned.complete(null));
        });
        assertEquals(total, started.get());
        await(switching, "the other loop's last switch");
        for (int i = 0; i < total; i++) {
            assertEquals("child " + i, Integer.valueOf(i % 7), await(protocols.get(i).exited, "the exit of child " + i));
        }
        assertTrue("switches ran meanwhile: " + switches.get(), switches.get() > 2);
        for (Recording protocol : protocols) {
            assertEquals(List.of("connectionMade", "processExited " + protocol.exited.join()), protocol.events);
        }
        assertNoExitReportedTwice();
        assertEquals(Map.of(), ProcessWide.get().childWatchers().current().children());
    }

    // ---- a protocol factory that blocks holds up nobody else ----------------------------------------------

    @Test
    public void aBlockedProtocolFactoryHoldsUpNeitherASwitchNorAnotherLoopsSpawn() throws Exception {
        BaseEventLoop other = startLoop();
        CountDownLatch factoryEntered = new CountDownLatch(1);
        CountDownLatch releaseFactory = new CountDownLatch(1);
        Recording blocked = new Recording(() -> { });
        CompletableFuture<SubprocessTransport> blockedSpawn = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> loop.subprocessExec(() -> {
            factoryEntered.countDown();
            awaitQuietly(releaseFactory);
            return blocked;
        }, List.of("/bin/sh", "-c", "exit 8"), QUIET).whenComplete(into(blockedSpawn)));
        assertTrue(factoryEntered.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
        try {
            // a switch on a third thread, then another loop's spawn (which must not queue behind it)
            CompletableFuture<Void> switched = CompletableFuture.runAsync(this::switchToThreaded);
            Recording meanwhile = new Recording(() -> { });
            on(other, () -> spawnExit(other, meanwhile, 9));
            await(switched, "a switch while a protocol factory blocks");
            assertExitedOnce(meanwhile, 9);
            assertFalse("all of this happened while the factory was still blocked", blockedSpawn.isDone());
        } finally {
            releaseFactory.countDown();
        }
        await(blockedSpawn, "the blocked factory's spawn");
        assertExitedOnce(blocked, 8);
    }

    @Test
    public void aFactoryWaitingForAnotherLoopsSpawnWhileASwitchIsQueued() throws Exception {
        BaseEventLoop other = startLoop();
        CountDownLatch factoryEntered = new CountDownLatch(1);
        CompletableFuture<SubprocessTransport> otherSpawn = new CompletableFuture<>();
        Recording waiting = new Recording(() -> { });
        Recording theOther = new Recording(() -> { });
        CompletableFuture<SubprocessTransport> waitingSpawn = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> loop.subprocessExec(() -> {
            factoryEntered.countDown();
            try {
                otherSpawn.get(DEADLINE_SECONDS, TimeUnit.SECONDS); // the user's choice: a factory that waits
            } catch (Exception e) {
                throw new IllegalStateException("the other loop's spawn never completed: " + e, e);
            }
            return waiting;
        }, List.of("/bin/sh", "-c", "exit 10"), QUIET).whenComplete(into(waitingSpawn)));
        assertTrue(factoryEntered.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
        // a switch, queued (or done) before the other loop asks to spawn
        Thread switcher = new Thread(this::switchToThreaded, "reentrancy-switcher");
        switcher.start();
        assertTrue(Leaks.await(() -> !switcher.isAlive() || switcher.getState() == Thread.State.WAITING, DEADLINE_SECONDS));
        other.callSoonThreadsafe(() -> spawnExit(other, theOther, 11).whenComplete(into(otherSpawn)));
        await(waitingSpawn, "the waiting factory's spawn");
        switcher.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
        assertFalse("the switch is stuck", switcher.isAlive());
        assertExitedOnce(theOther, 11);
        assertExitedOnce(waiting, 10);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
