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
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.Result.Status;
import org.junit.Test;

/**
 * One loop factory whose liveLoops() throws (a third-party factory, one whose bundle is stopping) does
 * not take the "Loopkit event loops" check down: the busy loop of another factory is still reported.
 * Before, the exception left execute(), and Felix HC reported an error instead.
 */
public class BrokenFactoryHealthTest {

    @Test
    public void aBrokenFactoryDoesNotHideABusyLoopOfAnother() {
        RankedRegistry<EventLoopFactory> factories = new RankedRegistry<>(EventLoopFactory.class, "event loop factory", null);
        factories.attachExternalSource("test");
        EventLoop busy = (EventLoop) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {EventLoop.class, InspectableLoop.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "stats" -> new LoopStats("SelectorEventLoop #2", "worker", true, true, -1, -1, -1, -1);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
        factories.register(factory("selector", () -> List.of(busy)), "selector", 50, 1, "test");
        factories.register(factory("broken", () -> {
            throw new IllegalStateException("the broken factory's bundle is stopping");
        }), "broken", 10, 2, "test");

        Result result = LoopkitHealth.loops(factories);

        assertEquals(Status.WARN, result.getStatus());
        assertTrue(result.toString(), result.toString().contains("SelectorEventLoop #2 on thread worker is busy"));
    }

    interface Loops {
        List<EventLoop> get();
    }

    private static EventLoopFactory factory(String name, Loops loops) {
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
