package dev.loopkit.jmx;

import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import java.lang.reflect.Proxy;
import java.util.List;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Test;

/**
 * As BrokenLoopFactoryTest, for one loop whose stats() fails (a third-party loop, one closing under the
 * look): it takes neither the component's activation nor the other loops' MBeans away. Before, every
 * new loop was named outside the guard that protects the factories.
 */
public class BrokenLoopStatsTest {

    private final EventLoop brokenLoop = (EventLoop) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {EventLoop.class, InspectableLoop.class}, (proxy, method, args) -> switch (method.getName()) {
                case "stats" -> throw new IllegalStateException("this loop cannot say");
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "BrokenLoop";
                case "isClosed", "isRunning" -> false;
                default -> null;
            });
    private final EventLoopFactory factory = new EventLoopFactory() {
        @Override
        public String name() {
            return "third-party";
        }

        @Override
        public EventLoop newEventLoop() {
            throw new IllegalStateException("no loops here");
        }

        @Override
        public List<EventLoop> liveLoops() {
            return List.of(brokenLoop);
        }
    };
    private LoopkitMBeans mbeans;

    @After
    public void cleanUp() {
        ProcessWide.get().loopFactories().unregister(factory);
        if (mbeans != null) {
            mbeans.close();
        }
    }

    @Test(timeout = 30_000)
    public void aLoopWhoseStatsFailDoesNotTakeThePolicyMBeansAway() throws Exception {
        ProcessWide.get().loopFactories().register(factory, "third-party", 0, 998, "test");
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 60_000);
        assertTrue(mbeans.names().contains(new ObjectName(LoopkitMBeans.POLICIES)));
    }

    @Test(timeout = 30_000)
    public void aLoopWhoseStatsFailDoesNotHideTheOtherLoops() throws Exception {
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 100);
        ProcessWide.get().loopFactories().register(factory, "third-party", 0, 998, "test");
        EventLoop loop = Asyncio.newEventLoop();
        try {
            ObjectName expected = LoopkitMBeans.loopName(((InspectableLoop) loop).stats().loop());
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (!mbeans.names().contains(expected) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue("no MBean " + expected + " in " + mbeans.names(), mbeans.names().contains(expected));
        } finally {
            loop.close();
        }
    }
}
