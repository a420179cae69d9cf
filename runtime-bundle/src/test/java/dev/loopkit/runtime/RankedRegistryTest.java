package dev.loopkit.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.loopkit.runtime.RankedRegistry.Reason;
import dev.loopkit.testsupport.LogHandlers;
import dev.loopkit.testsupport.OtherThread;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.Test;

public class RankedRegistryTest {

    private final RankedRegistry<Object> registry = new RankedRegistry<>(Object.class, "thing", null);

    @Test
    public void highestRankingWinsAndTiesGoToTheLowestServiceId() {
        Object a = "a";
        Object b = "b";
        Object c = "c";
        registry.register(a, "a", 10, 1, "bundle.a");
        registry.register(b, "b", 20, 3, "bundle.b");
        registry.register(c, "c", 20, 2, "bundle.c");
        assertSame(c, registry.current());
        assertEquals(Reason.RANKED, registry.choice().reason());
        assertEquals(List.of("c", "b", "a"), registry.entries().stream().map(RankedRegistry.Entry::name).toList());
    }

    @Test
    public void whenTheCurrentOneGoesTheNextTakesOver() {
        registry.register("a", "a", 10, 1, "x");
        registry.register("b", "b", 20, 2, "x");
        registry.unregister("b");
        assertEquals("a", registry.current());
        registry.unregister("a");
        assertNull(registry.current());
        assertNull(registry.choice());
    }

    @Test
    public void explicitBeatsConfiguredBeatsRanked() {
        registry.register("a", "a", 10, 1, "x");
        registry.register("b", "b", 20, 2, "x");
        registry.setConfigured("a");
        assertEquals("a", registry.current());
        assertEquals(Reason.CONFIGURED, registry.choice().reason());
        Object mine = new Object();
        registry.setExplicit(mine);
        assertSame(mine, registry.current());
        assertEquals(Reason.EXPLICIT, registry.choice().reason());
        assertEquals(Object.class.getName(), registry.choice().name());
        registry.setExplicit(null);
        assertEquals("a", registry.current());
        registry.setConfigured(null);
        assertEquals("b", registry.current());
        assertEquals(Reason.RANKED, registry.choice().reason());
    }

    @Test
    public void aConfiguredNameThatIsNotInstalledFallsBackToRankingUntilItArrives() {
        registry.register("a", "a", 10, 1, "x");
        registry.setConfigured("late");
        assertEquals("a", registry.current());
        assertEquals(Reason.RANKED, registry.choice().reason());
        registry.register("L", "late", 0, 2, "x");
        assertEquals("L", registry.current());
        assertEquals(Reason.CONFIGURED, registry.choice().reason());
    }

    @Test
    public void anExplicitServiceThatIsUnregisteredIsForgotten() {
        registry.register("a", "a", 10, 1, "x");
        registry.register("b", "b", 20, 2, "x");
        registry.setExplicit("a");
        registry.unregister("a");
        assertEquals("b", registry.current());
        assertTrue(registry.explicit().isEmpty());
    }

    @Test
    public void changesAreLoggedWithOldNewAndReasonAndReportedToListeners() {
        List<String> changes = new ArrayList<>();
        registry.addListener((previous, current) -> changes.add(previous + "->" + current));
        List<String> logged = new ArrayList<>();
        Logger logger = Logger.getLogger("dev.loopkit.runtime.registry");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(new java.util.logging.SimpleFormatter().formatMessage(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            registry.register("a", "a", 10, 1, "x");
            registry.register("b", "b", 20, 2, "x");
            registry.register("c", "c", 5, 3, "x"); // no change of the current one
            registry.unregister("b");
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(List.of("null->a", "a->b", "b->a"), changes);
        assertEquals(List.of(
                "thing: none -> 'a' (ranked) ('a' registered)",
                "thing: 'a' (ranked) -> 'b' (ranked) ('b' registered)",
                "thing: 'b' (ranked) -> 'a' (ranked) ('b' unregistered)"), logged);
    }

    /**
     * asyncio logs nothing when a program sets its policy: a choice made in code is logged at FINE,
     * what changes on its own (services coming and going, configuration) at INFO. And a log handler
     * may block, so nothing is logged while the registry's lock is held.
     */
    @Test
    public void explicitChoicesAreLoggedAtFineAndNothingIsLoggedUnderTheLock() {
        List<String> logged = new ArrayList<>();
        Logger logger = Logger.getLogger("dev.loopkit.runtime.registry");
        Level before = logger.getLevel();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record.getLevel() + (Thread.holdsLock(registry) ? " UNDER THE LOCK" : ""));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
        try {
            registry.register("a", "a", 10, 1, "x");
            registry.setExplicit("a");
            registry.setExplicit(null);
            registry.setConfigured("a");
            registry.reset("stopped");
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(before);
        }
        assertEquals(List.of("INFO", "FINE", "FINE", "INFO", "INFO"), logged);
    }

    @Test
    public void serviceLoaderProvidersAreRankedByTheirAnnotations() {
        RankedRegistry<Greeter> greeters = new RankedRegistry<>(Greeter.class, "greeter", "test.greeter");
        assertEquals(List.of("high", "high-too", "low", "Plain"),
                greeters.entries().stream().map(RankedRegistry.Entry::name).toList());
        assertEquals(List.of(50, 50, 10, 0), greeters.entries().stream().map(RankedRegistry.Entry::ranking).toList());
        assertTrue(greeters.current() instanceof Greeter.High);
        assertEquals("greeter", greeters.kind());
        assertEquals("known: high, high-too, low, Plain", greeters.knownNames());
    }

    @Test
    public void outsideOsgiASystemPropertyConfiguresTheChoice() {
        System.setProperty("test.greeter.configured", "low");
        try {
            RankedRegistry<Greeter> greeters = new RankedRegistry<>(Greeter.class, "greeter", "test.greeter.configured");
            assertTrue(greeters.current() instanceof Greeter.Low);
            assertEquals(Reason.CONFIGURED, greeters.choice().reason());
        } finally {
            System.clearProperty("test.greeter.configured");
        }
    }

    /** One object published twice (an alias): the second registration replaced the first, and withdrawing either withdrew both. */
    @Test
    public void oneServiceRegisteredTwiceIsTwoEntriesAndWithdrawingOneKeepsTheOther() {
        registry.register("shared", "mine", 500, 1, "x");
        registry.register("shared", "mine-alias", 400, 2, "x");
        assertEquals(List.of("mine", "mine-alias"), registry.entries().stream().map(RankedRegistry.Entry::name).toList());
        registry.setExplicit("shared");
        registry.unregister("shared", 2);
        assertEquals(List.of("mine"), registry.entries().stream().map(RankedRegistry.Entry::name).toList());
        assertEquals("still explicit while registered", Reason.EXPLICIT, registry.choice().reason());
        registry.unregister("shared", 1);
        assertNull("gone with its last registration", registry.current());
    }

    /** -Dloopkit.policy=selectr was ignored without a word; a bad -Dloopkit.blockedLoopWarning gets a warning. */
    @Test
    public void aSystemPropertyNamingNothingInstalledIsWarnedAbout() {
        List<String> logged = new ArrayList<>();
        Logger logger = Logger.getLogger("dev.loopkit.runtime.registry");
        Handler handler = LogHandlers.calling(record -> logged.add(record.getLevel() + " " + record.getMessage()));
        logger.addHandler(handler);
        System.setProperty("test.greeter.misspelt", "hihg");
        try {
            RankedRegistry<Greeter> greeters = new RankedRegistry<>(Greeter.class, "greeter", "test.greeter.misspelt");
            assertTrue("the ranked one", greeters.current() instanceof Greeter.High);
        } finally {
            System.clearProperty("test.greeter.misspelt");
            logger.removeHandler(handler);
        }
        assertEquals(List.of("WARNING -Dtest.greeter.misspelt=hihg names no greeter installed (known: high, high-too, low, Plain)"),
                logged);
    }

    @Test
    public void anExternalSourceReplacesServiceLoaderProviders() {
        RankedRegistry<Greeter> greeters = new RankedRegistry<>(Greeter.class, "greeter", null);
        greeters.attachExternalSource("osgi");
        assertNull(greeters.current());
        Greeter mine = new Greeter() { };
        greeters.register(mine, "mine", 1, 7, "bundle");
        assertSame(mine, greeters.current());
        greeters.reset("stopped");
        assertTrue(greeters.current() instanceof Greeter.High); // back to ServiceLoader
    }

    /**
     * A listener is user code: it may hand any call to another thread and wait for it. The first
     * choice outside OSGi, made when the registry first looks for its ServiceLoader providers, is told
     * to listeners too, and no more than any other may it be told under a lock that another thread's
     * call needs.
     */
    @Test(timeout = 60_000)
    public void aListenerOfTheFirstChoiceThatWaitsForAnotherThreadsCallDoesNotDeadlock() throws Exception {
        RankedRegistry<Greeter> greeters = new RankedRegistry<>(Greeter.class, "greeter", null);
        Greeter mine = new Greeter() { };
        AtomicReference<Object> seenByWorker = new AtomicReference<>();
        List<Greeter> heard = java.util.Collections.synchronizedList(new ArrayList<>());
        RankedRegistry.Listener<Greeter> listener = (previous, current) -> {
            heard.add(current);
            if (previous != null) {
                return; // the worker's own change
            }
            OtherThread.returns(() -> {
                greeters.setExplicit(mine);
                seenByWorker.set(greeters.current());
            });
        };
        greeters.addListener(listener);
        greeters.entries(); // looks for the providers: the first choice is told now
        assertSame("the worker's call, made while the first choice was told", mine, seenByWorker.get());
        assertSame(mine, greeters.current());
        assertEquals(2, heard.size());
        assertTrue("the first choice", heard.get(0) instanceof Greeter.High);
        assertSame("the worker's", mine, heard.get(1));
    }
}
