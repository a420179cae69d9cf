package dev.loopkit.jmx;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Test;

/**
 * Two live third-party loops with the same name (nothing makes a third-party loop number its name as
 * Loopkit's own loops do) each have an MBean, and one's close leaves the other's. Before, they shared
 * one ObjectName: the second loop's MBean replaced the first's, and the first one's close took the
 * second's away while it ran.
 */
public class SameNamedLoopsTest {

    private final List<EventLoop> live = new CopyOnWriteArrayList<>();
    private final EventLoopFactory thirdParty = new EventLoopFactory() {
        @Override
        public String name() {
            return "third-party";
        }

        @Override
        public EventLoop newEventLoop() {
            throw new IllegalStateException("made by the test");
        }

        @Override
        public List<EventLoop> liveLoops() {
            return List.copyOf(live);
        }
    };
    private LoopkitMBeans mbeans;

    @After
    public void cleanUp() {
        ProcessWide.get().loopFactories().unregister(thirdParty);
        if (mbeans != null) {
            mbeans.close();
        }
    }

    @Test(timeout = 30_000)
    public void twoLiveLoopsWithOneNameHaveAnMBeanEachUntilEachCloses() throws Exception {
        ProcessWide.get().loopFactories().register(thirdParty, "third-party", 0, 999, "test");
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 60_000);
        AtomicBoolean firstClosed = new AtomicBoolean();
        EventLoop first = namedWorker(firstClosed);
        EventLoop second = namedWorker(new AtomicBoolean());
        live.addAll(List.of(first, second));
        mbeans.refreshLoops();
        assertEquals(Set.of(LoopkitMBeans.loopName("worker"), LoopkitMBeans.loopName("worker (2)")), workerMBeans());

        firstClosed.set(true);
        live.remove(first);
        mbeans.refreshLoops();
        assertEquals("the second loop runs on", Set.of(LoopkitMBeans.loopName("worker (2)")), workerMBeans());

        live.add(namedWorker(new AtomicBoolean())); // a third takes the name that is free again
        mbeans.refreshLoops();
        assertEquals(Set.of(LoopkitMBeans.loopName("worker"), LoopkitMBeans.loopName("worker (2)")), workerMBeans());
    }

    private Set<ObjectName> workerMBeans() {
        return mbeans.names().stream()
                .filter(name -> "Loop".equals(name.getKeyProperty("type")) && name.getKeyProperty("name").startsWith("worker"))
                .collect(Collectors.toSet());
    }

    /** A third-party loop whose name (its toString, as it is not inspectable) is "worker". */
    private EventLoop namedWorker(AtomicBoolean closed) {
        return (EventLoop) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {EventLoop.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "worker";
                    case "isClosed" -> closed.get();
                    case "isRunning" -> !closed.get();
                    default -> null;
                });
    }
}
