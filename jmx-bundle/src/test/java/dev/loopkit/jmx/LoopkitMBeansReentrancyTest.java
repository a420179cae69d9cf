package dev.loopkit.jmx;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.OtherThread;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.DynamicMBean;
import javax.management.ObjectName;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * A loop factory may be the user's service: its {@code liveLoops()}, which the MBeans ask for when
 * they look for loops, may hand any call to another thread and wait for it, such as the names of the
 * MBeans there are.
 */
public class LoopkitMBeansReentrancyTest {

    private static final long WAIT_SECONDS = OtherThread.WAIT_SECONDS;

    @Test(timeout = 60_000)
    public void aFactoryWhoseLiveLoopsWaitsForAnotherThreadsNamesDoesNotDeadlock() throws Exception {
        CompletableFuture<Boolean> returnedInTime = new CompletableFuture<>();
        LoopkitMBeans[] mbeans = new LoopkitMBeans[1];
        EventLoopFactory factory = new EventLoopFactory() {
            @Override
            public String name() {
                return "users";
            }

            @Override
            public EventLoop newEventLoop() {
                throw new UnsupportedOperationException("no loop in this test");
            }

            @Override
            public List<EventLoop> liveLoops() {
                LoopkitMBeans asked = mbeans[0];
                if (asked != null && !returnedInTime.isDone()) {
                    returnedInTime.complete(OtherThread.returns(asked::names));
                }
                return List.of();
            }
        };
        ProcessWide.get().loopFactories().register(factory, "users-in-test", -1000, Long.MAX_VALUE, "test");
        // refreshed by hand only: the refresher's first look comes an hour later
        LoopkitMBeans made = new LoopkitMBeans(ChoiceStore.NONE, TimeUnit.HOURS.toMillis(1));
        try {
            mbeans[0] = made;
            made.refreshLoops();
            assertEquals("the other thread's names() returned while the factory was asked", true,
                    returnedInTime.get(3 * WAIT_SECONDS, TimeUnit.SECONDS));
        } finally {
            made.close();
            ProcessWide.get().loopFactories().unregister(factory);
        }
    }

    /**
     * An exporter is the user's code too, or calls it: an MBean server's registration listeners, the
     * OSGi service listeners of a JMX whiteboard. One that waits for another thread asking for the
     * names, or adding an exporter, must not find the MBeans' lock held.
     */
    @Test(timeout = 60_000)
    public void anExporterThatWaitsForAnotherThreadsCallsDoesNotDeadlock() throws Exception {
        LoopkitMBeans mbeans = new LoopkitMBeans(ChoiceStore.NONE, TimeUnit.HOURS.toMillis(1));
        CompletableFuture<Boolean> namesReturned = new CompletableFuture<>();
        CompletableFuture<Boolean> removeReturned = new CompletableFuture<>();
        List<ObjectName> exported = new CopyOnWriteArrayList<>();
        LoopkitMBeans.Exporter quiet = new LoopkitMBeans.Exporter() {
            @Override
            public void export(ObjectName name, DynamicMBean mbean) {
            }

            @Override
            public void unexport(ObjectName name) {
            }
        };
        LoopkitMBeans.Exporter waiting = new LoopkitMBeans.Exporter() {
            @Override
            public void export(ObjectName name, DynamicMBean mbean) {
                exported.add(name);
                if (!namesReturned.isDone()) {
                    namesReturned.complete(OtherThread.returns(mbeans::names));
                }
            }

            @Override
            public void unexport(ObjectName name) {
                exported.remove(name);
                if (!removeReturned.isDone()) {
                    removeReturned.complete(OtherThread.returns(() -> mbeans.addExporter(quiet)));
                }
            }
        };
        try {
            mbeans.addExporter(waiting);
            assertEquals("names() on another thread returned while an exporter exported", true,
                    namesReturned.get(3 * WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals("every MBean was exported", mbeans.names(), Set.copyOf(exported));
            mbeans.removeExporter(waiting);
            assertEquals("addExporter on another thread returned while an exporter unexported", true,
                    removeReturned.get(3 * WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals("every MBean was taken back", List.of(), exported);
        } finally {
            mbeans.close();
        }
    }
}
