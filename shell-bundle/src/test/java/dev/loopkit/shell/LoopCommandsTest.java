package dev.loopkit.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.testsupport.HoldingChildWatcher;
import dev.loopkit.policy.ProactorEventLoopPolicy;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.After;
import org.junit.Test;

/**
 * The text of the {@code loop:} commands, outside OSGi (the policies come from ServiceLoader,
 * named by their class's {@code @LoopkitName}); the shells only print it.
 */
public class LoopCommandsTest {

    private final List<String> saved = new ArrayList<>();
    private final LoopCommands commands = new LoopCommands((key, value) -> {
        saved.add(key + "=" + value);
        return "";
    });

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void forgetChoices() throws Exception {
        ProcessWide.get().policies().setConfigured(null);
        ProcessWide.get().childWatchers().setConfigured(null);
        Asyncio.setEventLoopPolicy(null);
        for (AutoCloseable undo : cleanup) {
            undo.close();
        }
    }

    /** A watcher that holds the pids it is given: what the shell lists, not how exits are reaped. */
    private static class HoldingWatcher extends HoldingChildWatcher {
        EventLoop attached;

        @Override
        public void attachLoop(EventLoop loop) {
            attached = loop;
        }

        @Override
        public void close() {
            held.clear();
        }
    }

    private HoldingWatcher installWatcher(String name, int ranking) {
        HoldingWatcher watcher = new HoldingWatcher();
        ProcessWide.get().childWatchers().register(watcher, name, ranking, ranking, "test");
        cleanup.add(() -> ProcessWide.get().childWatchers().unregister(watcher));
        return watcher;
    }

    /** What Karaf draws its own way: the same cells and status line as the text. */
    @Test
    public void aListingHasTheCellsAndTheLineUnderTheTableOfTheText() {
        Listing policies = commands.listing(LoopCommands.POLICY_TOPIC);
        assertEquals(List.of("", "NAME", "RANKING", "BUNDLE", "CLASS"), policies.header());
        assertEquals(List.of("*", "default", "100"), policies.rows().get(0).subList(0, 3));
        assertEquals(List.of("default", "selector", "proactor"), policies.rows().stream().map(row -> row.get(1)).toList());
        assertEquals(commands.policy(), policies.footer());
        assertEquals(commands.policies(), policies.toString());
        assertEquals(commands.watchers(), commands.watchersListing().toString());
        assertEquals(commands.children(), commands.childrenListing().toString());
        assertTrue(commands.childrenListing().footer(), commands.childrenListing().footer().endsWith(" watched"));
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
                () -> new Listing(List.of("A", "B"), List.of(List.of("1")), ""));
        assertEquals("1 cells in a row of a table of 2 columns: [1]", ragged.getMessage());
    }

    @Test
    public void policiesIsTheRankedTableThenTheStatusLine() {
        String out = commands.policies();
        List<String> lines = out.lines().toList();
        assertTrue(out, lines.get(0).matches("   NAME +RANKING +BUNDLE +CLASS"));
        assertTrue(out, lines.get(1).matches("\\* +default +100 .*dev\\.loopkit\\.policy\\.DefaultEventLoopPolicy"));
        assertTrue(out, lines.get(3).matches(" +proactor +10 .*dev\\.loopkit\\.policy\\.ProactorEventLoopPolicy"));
        assertEquals("process-wide: default (ranked: highest service.ranking)", lines.get(4));
    }

    @Test
    public void policiesListsWhatCannotWorkHereWithTheReason() {
        ProcessWide.get().unavailable().put("event loop policy", "epoll", "LOOPKIT_EPOLL=off in the environment");
        cleanup.add(() -> ProcessWide.get().unavailable().remove("event loop policy", "epoll"));

        String out = commands.policies();
        List<String> lines = out.lines().toList();
        assertTrue(out, lines.get(1).matches("\\* +default +100 .*"));
        assertTrue(out, lines.get(4).matches(" +epoll +- +- +unavailable: LOOPKIT_EPOLL=off in the environment"));
        assertEquals("process-wide: default (ranked: highest service.ranking)", lines.get(5));
        assertEquals("a name that cannot work is not offered", List.of("default", "selector", "proactor"),
                LoopCommands.names(ProcessWide.get().policies()));
    }

    @Test
    public void policyWithANameConfiguresItAtOnceAndSavesIt() {
        String out = commands.policy("proactor");
        assertEquals("process-wide: proactor (configured: configuration dev.loopkit.policy)\n", out);
        assertEquals(List.of("policy=proactor"), saved);
        assertEquals(ProactorEventLoopPolicy.class, ProcessWide.get().policies().current().getClass());
        assertEquals("process-wide: proactor (configured: configuration dev.loopkit.policy)", commands.policy());
    }

    @Test
    public void anExplicitPolicyOverridesTheConfiguredOneAndResetClearsBoth() {
        commands.policy("selector");
        Asyncio.setEventLoopPolicy(new ProactorEventLoopPolicy());
        assertEquals("process-wide: dev.loopkit.policy.ProactorEventLoopPolicy (explicit: set by Asyncio.setEventLoopPolicy;"
                + " loop:reset-policy clears it); configured 'selector' is overridden", commands.policy());
        assertEquals("process-wide: default (ranked: highest service.ranking)\n", commands.resetPolicy());
        assertEquals(List.of("policy=selector", "policy=null"), saved);
    }

    @Test
    public void anUnknownNameIsRefusedWithTheKnownOnesAndNothingIsSaved() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.policy("nosuch"));
        assertEquals("Unknown event loop policy 'nosuch' (known: default, selector, proactor)", e.getMessage());
        // no name at all (a Web Console request without one, JMX's null, an unset shell variable): 'null' said nothing
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> commands.policy(null));
        assertEquals("No event loop policy named: give one of its names (known: default, selector, proactor)", none.getMessage());
        assertEquals(List.of(), saved);
    }

    /**
     * With the loop bundles stopped, their policies go with them (dev.loopkit.policy stays active): the
     * shell said only "none is installed", where the facade already named the bundles to start (an
     * outside review). The same for watchers, each in a bundle of its own.
     */
    @Test
    public void withNoneInstalledTheStatusAndARefusalNameTheBundlesThatBringThem() {
        RankedRegistry<EventLoopPolicy> policies = ProcessWide.get().policies();
        for (RankedRegistry.Entry<EventLoopPolicy> entry : policies.entries()) {
            policies.unregister(entry.service(), entry.id());
            cleanup.add(() -> policies.register(entry.service(), entry.name(), entry.ranking(), entry.id(), entry.origin()));
        }
        String policyHint = "each comes with the loop bundle it makes loops of (dev.loopkit.loop.selector,"
                + " dev.loopkit.loop.epoll, dev.loopkit.loop.proactor): start one";
        assertEquals("process-wide: none (no event loop policy is installed: " + policyHint + ")", commands.policy());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> commands.policy("selector"));
        assertEquals("Unknown event loop policy 'selector' (none is installed: " + policyHint + ")", refused.getMessage());
        assertEquals(List.of(), saved);

        RankedRegistry<ChildWatcher> watchers = ProcessWide.get().childWatchers();
        for (RankedRegistry.Entry<ChildWatcher> entry : watchers.entries()) {
            watchers.unregister(entry.service(), entry.id());
            cleanup.add(() -> watchers.register(entry.service(), entry.name(), entry.ranking(), entry.id(), entry.origin()));
        }
        assertEquals("process-wide: none (no child watcher is installed: each comes in a bundle of its own"
                + " (dev.loopkit.watcher.pidfd, dev.loopkit.watcher.threaded, dev.loopkit.watcher.multiloop,"
                + " dev.loopkit.watcher.safe, dev.loopkit.watcher.fast): start one)", commands.watcher());
    }

    /**
     * A loop factory of a bundle refreshed underneath throws {@code NoClassDefFoundError}: its row says it
     * cannot list its loops and the others' rows are there. It took down {@code loop:loops} and the Web
     * Console's page (an outside review), where JMX and the health check coped.
     */
    @Test
    public void aFactoryThatCannotLoadItsClassesGetsARowAndHidesNothingElse() {
        EventLoopFactory stale = new EventLoopFactory() {
            @Override
            public String name() {
                return "stale";
            }

            @Override
            public EventLoop newEventLoop() {
                throw new IllegalStateException("no loops here");
            }

            @Override
            public List<EventLoop> liveLoops() {
                throw new NoClassDefFoundError("org/example/ThirdPartyLoop (its bundle was refreshed)");
            }
        };
        ProcessWide.get().loopFactories().register(stale, "stale", 0, 998, "test");
        cleanup.add(() -> ProcessWide.get().loopFactories().unregister(stale));
        String out = commands.loops();
        assertTrue(out, out.contains("stale") && out.contains("? (cannot list its loops: org/example/ThirdPartyLoop"));
    }

    /**
     * A blocked loop's stats() waits a second for its thread: asked in turn, n blocked loops held
     * loop:loops (and the Web Console's page, which asks every 2 s) n seconds (an outside review). The
     * fakes meet at a barrier that only asks made at once pass; one ask at a time waited it out (10 s)
     * and got no stats.
     */
    @Test(timeout = 60_000)
    public void blockedLoopsAreAskedAtOnceNotInTurn() {
        int blocked = 3;
        CyclicBarrier allAsked = new CyclicBarrier(blocked);
        List<EventLoop> live = new ArrayList<>();
        for (int i = 1; i <= blocked; i++) {
            LoopStats busy = new LoopStats("BlockedLoop #" + i, "worker-" + i, true, true, -1, -1, -1, -1);
            live.add((EventLoop) Proxy.newProxyInstance(LoopCommandsTest.class.getClassLoader(),
                    new Class<?>[] {EventLoop.class, InspectableLoop.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "stats" -> {
                            allAsked.await(10, TimeUnit.SECONDS); // the real one waits up to a second here
                            yield busy;
                        }
                        case "toString" -> busy.loop();
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> null;
                    }));
        }
        EventLoopFactory blockedLoops = new EventLoopFactory() {
            @Override
            public String name() {
                return "blocked";
            }

            @Override
            public EventLoop newEventLoop() {
                throw new IllegalStateException("no loops here");
            }

            @Override
            public List<EventLoop> liveLoops() {
                return List.copyOf(live);
            }
        };
        ProcessWide.get().loopFactories().register(blockedLoops, "blocked", 0, 996, "test");
        cleanup.add(() -> ProcessWide.get().loopFactories().unregister(blockedLoops));
        String out = commands.loops();
        for (int i = 1; i <= blocked; i++) {
            assertTrue(out, out.lines().anyMatch(line -> line.contains("BlockedLoop #") && line.contains("yes (busy in a callback)")
                    && line.contains("worker-")));
        }
        assertEquals(out, blocked, out.lines().filter(line -> line.contains("yes (busy in a callback)")).count());
    }

    /** loop:policies listed it as unavailable with the reason, and loop:policy then called it unknown (an outside review). */
    @Test
    public void aNameThatCannotWorkHereIsRefusedWithTheReasonAndAConfiguredOneSaysIt() {
        ProcessWide.get().unavailable().put("event loop policy", "epoll", "LOOPKIT_EPOLL=off in the environment");
        cleanup.add(() -> ProcessWide.get().unavailable().remove("event loop policy", "epoll"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.policy("epoll"));
        assertEquals("Unavailable event loop policy 'epoll': LOOPKIT_EPOLL=off in the environment"
                + " (known: default, selector, proactor)", e.getMessage());
        assertEquals(List.of(), saved);
        ProcessWide.get().policies().setConfigured("epoll"); // the distribution's conf/dev.loopkit.policy.cfg, say
        assertEquals("process-wide: default (ranked: highest service.ranking); configured 'epoll' is unavailable:"
                + " LOOPKIT_EPOLL=off in the environment", commands.policy());
    }

    /** One policy object published under two names: two rows, and only the chosen one marked current. */
    @Test
    public void onePolicyUnderTwoNamesIsTwoRowsAndOneIsCurrent() {
        ProactorEventLoopPolicy shared = new ProactorEventLoopPolicy();
        ProcessWide.get().policies().register(shared, "mine", 500, Long.MAX_VALUE - 1, "test");
        ProcessWide.get().policies().register(shared, "mine-alias", 400, Long.MAX_VALUE, "test");
        cleanup.add(() -> ProcessWide.get().policies().unregister(shared));
        List<List<String>> rows = commands.listing(LoopCommands.POLICY_TOPIC).rows();
        assertEquals(List.of("*", "mine"), rows.get(0).subList(0, 2));
        assertEquals(List.of("", "mine-alias"), rows.get(1).subList(0, 2));
    }

    @Test
    public void withoutConfigAdminTheChoiceAppliesButTheNoteSaysItIsNotSaved() {
        String out = new LoopCommands(ChoiceStore.NONE).policy("selector");
        assertEquals("process-wide: selector (configured: configuration dev.loopkit.policy)"
                + " (not saved: ConfigurationAdmin is not installed)\n", out);
    }

    @Test
    public void namesAreWhatAShellCompletes() {
        assertEquals(List.of("default", "selector", "proactor"), LoopCommands.names(ProcessWide.get().policies()));
    }

    @Test
    public void watchersListsStateChildrenAndWhatCannotWorkHere() {
        HoldingWatcher best = installWatcher("best", 90);
        installWatcher("spare", 5);
        best.addChildHandler(4242, (pid, code) -> { });
        ProcessWide.get().unavailable().put("child watcher", "pidfd", "pidfd_open(2) failed: ENOSYS");
        cleanup.add(() -> ProcessWide.get().unavailable().remove("child watcher", "pidfd"));

        List<String> lines = commands.watchers().lines().toList();
        assertTrue(String.join("\n", lines), lines.get(0).matches("   NAME +RANKING +STATE +CHILDREN +BUNDLE"));
        assertTrue(lines.get(1), lines.get(1).matches("\\* +best +90 +active +1 +test"));
        assertTrue(lines.get(2), lines.get(2).matches(" +spare +5 +standby +0 +test"));
        assertTrue(lines.get(3), lines.get(3).matches(" +pidfd +- +unavailable: pidfd_open\\(2\\) failed: ENOSYS +- +-"));
        assertEquals("process-wide: best (ranked: highest service.ranking)", lines.get(4));
    }

    /**
     * A watcher chosen that cannot work (the safe or fast watcher on a platform without its main loop):
     * the status line says so and why. {@code loop:watcher fast} answered as if all were well, and every
     * later {@code loop:run} failed (an outside review of the admin surface).
     */
    @Test
    public void choosingAWatcherThatCannotWorkSaysWhy() {
        HoldingWatcher loopless = new HoldingWatcher() {
            @Override
            public boolean isActive() {
                return false;
            }

            @Override
            public String inactiveReason() {
                return "it is attached to no loop";
            }
        };
        ProcessWide.get().childWatchers().register(loopless, "loopless", 5, 5, "test");
        cleanup.add(() -> ProcessWide.get().childWatchers().unregister(loopless));
        assertEquals("process-wide: loopless (configured: configuration dev.loopkit.policy); inactive: it is attached to no loop\n",
                commands.watcher("loopless"));
    }

    @Test
    public void watcherWithANameMovesTheChildrenAndSavesTheChoice() {
        HoldingWatcher best = installWatcher("best", 90);
        HoldingWatcher spare = installWatcher("spare", 5);
        best.addChildHandler(4242, (pid, code) -> { });

        assertEquals("process-wide: spare (configured: configuration dev.loopkit.policy)\n", commands.watcher("spare"));
        assertEquals("the child moved with the switch", Set.of(4242L), spare.children().keySet());
        assertEquals(Map.of(), best.children());
        String children = commands.children();
        assertTrue(children, children.lines().anyMatch(line -> line.matches("\\* +spare +1 +4242")));
        assertTrue(children, children.endsWith("1 child watched"));

        assertEquals("process-wide: best (ranked: highest service.ranking)\n", commands.resetWatcher());
        assertEquals(Set.of(4242L), best.children().keySet());
        assertEquals(List.of("watcher=spare", "watcher=null"), saved);
    }

    /**
     * asyncio's {@code set_child_watcher(None)} closes the watcher set before; loop:reset-watcher forgets
     * it too, and left it open (a threaded watcher's threads, a fast watcher's signal handler).
     */
    @Test
    public void resetWatcherClosesTheWatcherSetByCodeOnceItHoldsNothing() {
        installWatcher("best", 90);
        boolean[] closed = {false};
        HoldingChildWatcher explicit = new HoldingChildWatcher() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        Asyncio.getEventLoopPolicy().setChildWatcher(explicit);
        assertEquals(explicit, ProcessWide.get().childWatchers().current());

        assertEquals("process-wide: best (ranked: highest service.ranking)\n", commands.resetWatcher());
        assertTrue("the watcher set by code is closed, as setChildWatcher(null) closes it", closed[0]);
    }

    @Test
    public void anUnknownWatcherIsRefusedWithTheKnownOnes() {
        installWatcher("best", 90);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.watcher("nosuch"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("Unknown child watcher 'nosuch' (known: best"));
        assertEquals(List.of(), saved);
    }

    @Test
    public void loopsListsTheLiveLoopsOfEachFactory() {
        EventLoop loop = ProcessWide.get().loopFactories().find("selector").orElseThrow().service().newEventLoop();
        try {
            loop.callLater(60, () -> { });
            LoopFuture<Void> once = loop.createFuture();
            loop.callSoon(() -> once.setResult(null));
            loop.runUntilComplete(once); // the timer is in the heap now
            loop.callSoon(() -> { });
            List<String> lines = commands.loops().lines().toList();
            assertTrue(String.join("\n", lines), lines.get(0).matches("FACTORY +LOOP +THREAD +RUNNING +CALLBACKS +TIMERS +FDS +TRANSPORTS +LAG"));
            assertTrue(String.join("\n", lines), lines.stream().anyMatch(
                    line -> line.matches("selector +SelectorEventLoop #\\d+ +- +no +1 +1 +0 +0 +-")));
        } finally {
            loop.close();
        }
        assertTrue("a closed loop is not listed", commands.loops().lines().noneMatch(line -> line.startsWith("selector")));
    }

    @Test(timeout = 60_000)
    public void loopsShowsTheLagOfARunningLoop() throws InterruptedException {
        EventLoop loop = ProcessWide.get().loopFactories().find("selector").orElseThrow().service().newEventLoop();
        Thread thread = new Thread(loop::runForever, "lag shown");
        thread.start();
        try {
            // a figure once the checker has probed it (0.0 ms when it found it asleep)
            assertTrue(commands.loops(), eventually(() -> commands.loops().lines().anyMatch(
                    line -> line.matches("selector +SelectorEventLoop #\\d+ +lag shown +yes +\\d+ +\\d+ +\\d+ +\\d+ +\\d+\\.\\d ms")), 30));
        } finally {
            loop.stop();
            thread.join();
            loop.close();
        }
    }

    private static boolean eventually(BooleanSupplier condition, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * The platform makes a new main loop when the process-wide policy changes (at start-up, when the
     * epoll policy registers after the default one), and the safe and fast watchers are inactive until
     * it runs. A {@code loop:run} typed meanwhile waits for the watcher instead of failing; it failed
     * with "the child watcher is not activated" in {@code bin/loopkit -c} before.
     */
    @Test
    public void runWaitsForAWatcherBeingActivated() {
        long activeFrom = System.nanoTime() + 300_000_000L;
        ChildWatcher late = new ChildWatcher() {
            // reaps each child on a thread of its own, as asyncio's ThreadedChildWatcher
            @Override
            public void addChildHandler(long pid, ChildHandler handler) {
                Thread reaper = new Thread(() -> {
                    try {
                        handler.childExited(pid, Posix.get().waitpid(pid, false).returncode());
                    } catch (PosixException e) {
                        throw new IllegalStateException(e);
                    }
                }, "reaper " + pid);
                reaper.start();
            }

            @Override
            public boolean removeChildHandler(long pid) {
                return false;
            }

            @Override
            public void attachLoop(EventLoop loop) {
            }

            @Override
            public boolean isActive() {
                return System.nanoTime() >= activeFrom;
            }

            @Override
            public String inactiveReason() {
                return "its main loop is being replaced";
            }

            @Override
            public void close() {
            }
        };
        ProcessWide.get().childWatchers().register(late, "late", 1_000, 1_000, "test");
        cleanup.add(() -> ProcessWide.get().childWatchers().unregister(late));
        String ran = commands.run(List.of("/bin/sh", "-c", "exit 3"), System.out, System.err);
        assertTrue(ran, ran.contains("returncode 3"));
    }

    /**
     * The line that says how the program ended is a line of its own, where a script looks for it, also
     * after output that ended mid-line: {@code loop:run printf abc} printed {@code abcpid 449: ...}
     * (an outside review of the admin surface).
     */
    @Test
    public void theEndingLineStartsALineAfterOutputThatEndedMidLine() {
        ReapingWatcher watcher = new ReapingWatcher();
        ProcessWide.get().childWatchers().register(watcher, "reaping", 1_000, 1_000, "test");
        cleanup.add(() -> ProcessWide.get().childWatchers().unregister(watcher));
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true);
        String ran = commands.run(List.of("/usr/bin/printf", "abc"), out, System.err);
        assertEquals("abc", printed.toString());
        assertTrue(ran, ran.startsWith(System.lineSeparator() + "pid "));
        String plain = commands.run(List.of("/bin/echo", "abc"), out, System.err);
        assertTrue("no blank line after a whole line: " + plain, plain.startsWith("pid "));
    }

    @Test
    public void runWithoutAProgramSaysWhatItNeeds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> commands.run(List.of(), System.out, System.err));
        assertEquals("loop:run needs a program: loop:run <program> [args...]", e.getMessage());
    }

    /** A shell variable that is not set reaches the command as null (an outside review: a bare NullPointerException). */
    @Test
    public void runWithAnArgumentThatHasNoValueSaysWhich() {
        List<String> argv = new java.util.ArrayList<>(List.of("/bin/echo", "a"));
        argv.add(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> commands.run(argv, System.out, System.err));
        assertEquals("loop:run got no value for argument 2 (an unset variable?): [/bin/echo, a, null]", e.getMessage());
    }
}
