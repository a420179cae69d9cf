package dev.loopkit.health;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.runtime.RankedRegistry;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.function.Supplier;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.Result.Status;
import org.junit.Test;

/**
 * One loop factory or loop that cannot answer (a third-party one, one whose bundle is stopping or was
 * refreshed underneath) does not take the "Loopkit event loops" check down: the busy loop of another
 * factory is still reported. Before, the exception left execute(), and Felix HC reported an error
 * instead; a {@code NoClassDefFoundError} (a refreshed bundle's classes) still did so until an outside
 * review.
 */
public class BrokenFactoryHealthTest {

    private static final EventLoop BUSY = loop(() -> new LoopStats("SelectorEventLoop #2", "worker", true, true, -1, -1, -1, -1));

    @Test
    public void aBrokenFactoryDoesNotHideABusyLoopOfAnother() {
        assertTheBusyLoopIsReported(() -> {
            throw new IllegalStateException("the broken factory's bundle is stopping");
        });
    }

    @Test
    public void aFactoryOfARefreshedBundleDoesNotHideABusyLoopOfAnother() {
        assertTheBusyLoopIsReported(() -> {
            throw new NoClassDefFoundError("org/example/ThirdPartyLoop (its bundle was refreshed)");
        });
    }

    @Test
    public void aLoopOfARefreshedBundleDoesNotHideABusyLoopOfAnother() {
        EventLoop stale = loop(() -> {
            throw new NoClassDefFoundError("org/example/ThirdPartyLoop$Stats (its bundle was refreshed)");
        });
        Result result = assertTheBusyLoopIsReported(() -> List.of(stale));
        assertTrue(result.toString(), result.toString().contains("cannot say how it is: java.lang.NoClassDefFoundError"));
    }

    private static Result assertTheBusyLoopIsReported(Supplier<List<EventLoop>> brokenFactorysLoops) {
        RankedRegistry<EventLoopFactory> factories = new RankedRegistry<>(EventLoopFactory.class, "event loop factory", null);
        factories.attachExternalSource("test");
        factories.register(factory("selector", () -> List.of(BUSY)), "selector", 50, 1, "test");
        factories.register(factory("broken", brokenFactorysLoops), "broken", 10, 2, "test");

        Result result = LoopkitHealth.loops(factories);

        assertEquals(result.toString(), Status.WARN, result.getStatus());
        assertTrue(result.toString(), result.toString().contains("SelectorEventLoop #2 on thread worker is busy"));
        return result;
    }

    private static EventLoop loop(Supplier<LoopStats> stats) {
        return (EventLoop) Proxy.newProxyInstance(BrokenFactoryHealthTest.class.getClassLoader(),
                new Class<?>[] {EventLoop.class, InspectableLoop.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "stats" -> stats.get();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "a loop";
                    default -> null;
                });
    }

    private static EventLoopFactory factory(String name, Supplier<List<EventLoop>> loops) {
        return new EventLoopFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public EventLoop newEventLoop() {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<EventLoop> liveLoops() {
                return loops.get();
            }
        };
    }
}
