package dev.loopkit.health;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.StreamSupport;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.Result.Status;
import org.junit.Test;

/** Each check fires and clears on what it looks at: registries fed by hand with fakes (real ones: ManagementIT in itests). */
public class LoopkitHealthTest {

    @Test
    public void noPolicyIsCriticalAndAProcessWideOneIsOk() {
        RankedRegistry<EventLoopPolicy> none = new RankedRegistry<>(EventLoopPolicy.class, "event loop policy", null);
        none.attachExternalSource("test");
        Result critical = LoopkitHealth.policy(none);
        assertEquals(Status.CRITICAL, critical.getStatus());
        assertEquals("no event loop policy is installed: no event loop can be made", text(critical));

        Result ok = LoopkitHealth.policy(ProcessWide.get().policies());
        assertEquals(Status.OK, ok.getStatus());
        assertEquals("process-wide event loop policy: default (ranked)", text(ok));
    }

    @Test
    public void noActiveWatcherIsCriticalUntilOneComes() {
        RankedRegistry<ChildWatcher> watchers = new RankedRegistry<>(ChildWatcher.class, "child watcher", null);
        watchers.attachExternalSource("test");
        Result none = LoopkitHealth.watcher(watchers, () -> Map.of(4001L, "waiting"));
        assertEquals(Status.CRITICAL, none.getStatus());
        assertEquals("no child watcher is installed: no child process can be spawned; 1 children wait for one, unreaped", text(none));

        ChildWatcher inactive = watcher("its main loop is closed");
        watchers.register(inactive, "safe", 20, 1, "test");
        Result notActive = LoopkitHealth.watcher(watchers, Map::of);
        assertEquals(Status.CRITICAL, notActive.getStatus());
        assertEquals("child watcher safe is inactive: its main loop is closed", text(notActive));

        watchers.register(watcher(null), "threaded", 40, 2, "test");
        Result ok = LoopkitHealth.watcher(watchers, Map::of);
        assertEquals(Status.OK, ok.getStatus());
        assertEquals("child watcher threaded is active (ranked), 0 children", text(ok));
    }

    /** The check reads what each loop's stats() says; a real loop blocked in a callback: ManagementIT. */
    @Test
    public void aBusyLoopWarnsAndTheOthersDoNot() {
        RankedRegistry<EventLoopFactory> factories = new RankedRegistry<>(EventLoopFactory.class, "event loop factory", null);
        factories.attachExternalSource("test");
        List<EventLoop> live = new ArrayList<>(List.of(loop(new LoopStats("SelectorEventLoop #1", "loopkit-main", true, false, 0, 0, 0, 0))));
        factories.register(fake(EventLoopFactory.class, (method, args) -> method.equals("liveLoops") ? List.copyOf(live) : null),
                "selector", 50, 1, "test");
        assertEquals(Status.OK, LoopkitHealth.loops(factories).getStatus());
        assertEquals("1 live loops", text(LoopkitHealth.loops(factories)));

        live.add(loop(new LoopStats("SelectorEventLoop #2", "worker", true, true, -1, -1, -1, -1)));
        Result busy = LoopkitHealth.loops(factories);
        assertEquals(Status.WARN, busy.getStatus());
        assertEquals("SelectorEventLoop #2 on thread worker is busy in a callback: its thread did not answer within a second\n"
                + "2 live loops", text(busy));

        live.remove(1);
        assertEquals(Status.OK, LoopkitHealth.loops(factories).getStatus());
    }

    @Test
    public void aLoopThatLagsOverTheThresholdWarnsAndOneThatKeepsUpDoesNot() {
        RankedRegistry<EventLoopFactory> factories = new RankedRegistry<>(EventLoopFactory.class, "event loop factory", null);
        factories.attachExternalSource("test");
        List<EventLoop> live = new ArrayList<>(List.of(
                loop(new LoopStats("SelectorEventLoop #1", "loopkit-main", true, false, 3, 0, 0, 0, 12.5))));
        factories.register(fake(EventLoopFactory.class, (method, args) -> method.equals("liveLoops") ? List.copyOf(live) : null),
                "selector", 50, 1, "test");
        assertEquals(Status.OK, LoopkitHealth.loops(factories).getStatus());

        live.add(loop(new LoopStats("SelectorEventLoop #2", "worker", true, false, 9000, 0, 0, 0, 1500.25)));
        Result lags = LoopkitHealth.loops(factories);
        assertEquals(Status.WARN, lags.getStatus());
        assertEquals("SelectorEventLoop #2 on thread worker lags: a callback scheduled from another thread waited 1500.3 ms"
                + " for its run (more than 1000 ms)\n2 live loops", text(lags));
    }

    /**
     * A blocked loop's stats() waits a second for its thread (BaseEventLoop.stats); asked in turn, two
     * blocked loops took the check past Felix HC's default timeout of 2 s, and the check reported a
     * timeout instead of the loops. The fakes meet at a barrier that only asks made at once pass: one
     * ask at a time waited it out (10 s) and saw the barrier broken.
     */
    @Test(timeout = 60_000)
    public void blockedLoopsAreAskedAtOnceNotInTurn() {
        int blocked = 3;
        CyclicBarrier allAsked = new CyclicBarrier(blocked);
        List<EventLoop> live = new ArrayList<>();
        for (int i = 1; i <= blocked; i++) {
            LoopStats busy = new LoopStats("SelectorEventLoop #" + i, "worker-" + i, true, true, -1, -1, -1, -1);
            live.add((EventLoop) Proxy.newProxyInstance(LoopkitHealthTest.class.getClassLoader(),
                    new Class<?>[] {EventLoop.class, InspectableLoop.class}, (proxy, method, args) -> {
                        return switch (method.getName()) {
                            case "stats" -> {
                                allAsked.await(10, TimeUnit.SECONDS); // the real one waits up to a second here
                                yield busy;
                            }
                            case "toString" -> busy.loop();
                            default -> null;
                        };
                    }));
        }
        RankedRegistry<EventLoopFactory> factories = new RankedRegistry<>(EventLoopFactory.class, "event loop factory", null);
        factories.attachExternalSource("test");
        factories.register(fake(EventLoopFactory.class, (method, args) -> method.equals("liveLoops") ? List.copyOf(live) : null),
                "selector", 50, 1, "test");
        Result result = LoopkitHealth.loops(factories);
        assertEquals(Status.WARN, result.getStatus());
        assertEquals("SelectorEventLoop #1 on thread worker-1 is busy in a callback: its thread did not answer within a second\n"
                + "SelectorEventLoop #2 on thread worker-2 is busy in a callback: its thread did not answer within a second\n"
                + "SelectorEventLoop #3 on thread worker-3 is busy in a callback: its thread did not answer within a second\n"
                + "3 live loops", text(result));
    }

    private static String text(Result result) {
        return String.join("\n", StreamSupport.stream(result.spliterator(), false).map(e -> e.getMessage()).toList());
    }

    private static ChildWatcher watcher(String inactiveReason) {
        return fake(ChildWatcher.class, (method, args) -> switch (method) {
            case "isActive" -> inactiveReason == null;
            case "inactiveReason" -> inactiveReason;
            case "children" -> Map.of();
            default -> null;
        });
    }

    private static EventLoop loop(LoopStats stats) {
        return (EventLoop) Proxy.newProxyInstance(LoopkitHealthTest.class.getClassLoader(),
                new Class<?>[] {EventLoop.class, InspectableLoop.class}, (proxy, method, args) -> stats);
    }

    /** An implementation of {@code type} that answers each method by name. */
    private static <T> T fake(Class<T> type, BiFunction<String, Object[], Object> answers) {
        return type.cast(Proxy.newProxyInstance(LoopkitHealthTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> type.getSimpleName();
                    default -> answers.apply(method.getName(), args);
                }));
    }
}
