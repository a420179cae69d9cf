package dev.loopkit.jmx;

import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Test;

/**
 * One broken service (a third-party factory or loop, one whose bundle is stopping) takes nothing from
 * the others: a factory whose liveLoops() fails, or a loop whose stats() fails. Before, the JMX component
 * failed to activate (the first look for loops was not guarded, and every new loop was named outside
 * the guard), and every later look failed as a whole: no loop of any factory got an MBean.
 */
public class BrokenLoopServicesTest {

    private final EventLoop loopThatCannotSay = loopWhoseStatsThrow(new IllegalStateException("this loop cannot say"));
    private EventLoopFactory broken;
    private LoopkitMBeans mbeans;

    @After
    public void cleanUp() {
        if (broken != null) {
            ProcessWide.get().loopFactories().unregister(broken);
        }
        if (mbeans != null) {
            mbeans.close();
        }
    }

    @Test(timeout = 30_000)
    public void aFactoryThatFailsToListItsLoopsDoesNotTakeThePolicyMBeansAway() throws Exception {
        activatesWith(() -> {
            throw new IllegalStateException("the broken factory's bundle is stopping");
        });
    }

    @Test(timeout = 30_000)
    public void aFactoryThatFailsToListItsLoopsDoesNotHideTheLoopsOfTheOthers() throws Exception {
        othersGetTheirMBeansBeside(() -> {
            throw new IllegalStateException("the broken factory's bundle is stopping");
        });
    }

    @Test(timeout = 30_000)
    public void aLoopWhoseStatsFailDoesNotTakeThePolicyMBeansAway() throws Exception {
        activatesWith(() -> List.of(loopThatCannotSay));
    }

    @Test(timeout = 30_000)
    public void aLoopWhoseStatsFailDoesNotHideTheOtherLoops() throws Exception {
        othersGetTheirMBeansBeside(() -> List.of(loopThatCannotSay));
    }

    /**
     * A factory or loop of a bundle refreshed underneath throws {@code NoClassDefFoundError}, on every
     * look until the framework unregisters it: each look failed as a whole, so no new loop of any other
     * factory got an MBean meanwhile (an outside review).
     */
    @Test(timeout = 30_000)
    public void aFactoryOfARefreshedBundleDoesNotHideTheLoopsOfTheOthers() throws Exception {
        othersGetTheirMBeansBeside(() -> {
            throw new NoClassDefFoundError("org/example/ThirdPartyLoop (its bundle was refreshed)");
        });
    }

    @Test(timeout = 30_000)
    public void aLoopOfARefreshedBundleDoesNotHideTheOtherLoops() throws Exception {
        EventLoop stale = loopWhoseStatsThrow(new NoClassDefFoundError("org/example/ThirdPartyLoop$Stats (its bundle was refreshed)"));
        othersGetTheirMBeansBeside(() -> List.of(stale));
    }

    /**
     * A second look at those fixes: a known loop of a refreshed bundle whose {@code isClosed()} throws (asked
     * when its factory cannot list it) still failed the look as a whole, and a new one whose
     * {@code toString()} throws too failed the look in the line logging that it cannot be named (at
     * activation: the JMX component did not start).
     */
    @Test(timeout = 30_000)
    public void aKnownLoopOfARefreshedBundleDoesNotHideANewLoopOfAnother() throws Exception {
        AtomicBoolean refreshed = new AtomicBoolean();
        EventLoop stale = loopOfABundleThatMayBeRefreshed(refreshed, false);
        register(() -> {
            if (refreshed.get()) {
                throw new NoClassDefFoundError("org/example/ThirdPartyFactory$1 (its bundle was refreshed)");
            }
            return List.of(stale);
        });
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 60_000);
        assertTrue(mbeans.names().toString(), mbeans.names().contains(LoopkitMBeans.loopName("ThirdPartyLoop #1")));
        refreshed.set(true);
        othersGetTheirMBeans();
        assertTrue("kept until a look that sees every factory", mbeans.names().contains(LoopkitMBeans.loopName("ThirdPartyLoop #1")));
    }

    @Test(timeout = 30_000)
    public void aNewLoopOfARefreshedBundleThatCannotSayWhatItIsDoesNotHideTheOthers() throws Exception {
        EventLoop stale = loopOfABundleThatMayBeRefreshed(new AtomicBoolean(true), true);
        register(() -> List.of(stale));
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 60_000);
        othersGetTheirMBeans();
    }

    private EventLoop loopOfABundleThatMayBeRefreshed(AtomicBoolean refreshed, boolean toStringToo) {
        return (EventLoop) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {EventLoop.class, InspectableLoop.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            break;
                    }
                    if (refreshed.get() && (toStringToo || !method.getName().equals("toString"))) {
                        throw new NoClassDefFoundError("org/example/ThirdPartyLoop$Inner (its bundle was refreshed)");
                    }
                    return switch (method.getName()) {
                        case "stats" -> new LoopStats("ThirdPartyLoop #1", "third", false, false, -1, -1, -1, -1);
                        case "toString" -> "ThirdPartyLoop #1";
                        case "isClosed", "isRunning" -> false;
                        default -> null;
                    };
                });
    }

    private EventLoop loopWhoseStatsThrow(Throwable failure) {
        return (EventLoop) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {EventLoop.class, InspectableLoop.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "stats" -> throw failure;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "BrokenLoop";
                    case "isClosed", "isRunning" -> false;
                    default -> null;
                });
    }

    // The component's first look, at activation, meets the broken service.
    private void activatesWith(Supplier<List<EventLoop>> liveLoops) throws Exception {
        register(liveLoops);
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 60_000);
        assertTrue(mbeans.names().contains(new ObjectName(LoopkitMBeans.POLICIES)));
    }

    // A later look (what the periodic refresh runs) meets it beside a healthy loop.
    private void othersGetTheirMBeansBeside(Supplier<List<EventLoop>> liveLoops) throws Exception {
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 60_000);
        register(liveLoops);
        othersGetTheirMBeans();
    }

    private void othersGetTheirMBeans() throws Exception {
        EventLoop loop = Asyncio.newEventLoop();
        try {
            ObjectName expected = LoopkitMBeans.loopName(((InspectableLoop) loop).stats().loop());
            mbeans.refreshLoops();
            assertTrue("no MBean " + expected + " in " + mbeans.names(), mbeans.names().contains(expected));
        } finally {
            loop.close();
        }
    }

    private void register(Supplier<List<EventLoop>> liveLoops) {
        broken = new EventLoopFactory() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public EventLoop newEventLoop() {
                throw new IllegalStateException("no loops here");
            }

            @Override
            public List<EventLoop> liveLoops() {
                return liveLoops.get();
            }
        };
        ProcessWide.get().loopFactories().register(broken, "broken", 0, 999, "test");
    }
}
