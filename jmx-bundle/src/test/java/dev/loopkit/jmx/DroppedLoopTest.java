package dev.loopkit.jmx;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.platform.ChoiceStore;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Test;

/**
 * A loop its user dropped without closing it is garbage, MBeans or not: the loop factories hold their
 * loops weakly, so that the loop's cleaner warns ("unclosed event loop", asyncio's {@code __del__}) and
 * closes its selector and descriptors. The MBeans held every loop they had seen strongly, so with the
 * JMX bundle running such a loop, its MBean and its descriptors stayed for the life of the JVM (an
 * outside review).
 */
public class DroppedLoopTest {

    private LoopkitMBeans mbeans;

    @After
    public void cleanUp() {
        if (mbeans != null) {
            mbeans.close();
        }
    }

    @Test(timeout = 60_000)
    public void aLoopDroppedWithoutCloseIsGarbageAndItsMBeanGoes() throws Exception {
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 60_000);
        ReferenceQueue<EventLoop> cleared = new ReferenceQueue<>();
        WeakReference<EventLoop> dropped = new WeakReference<>(ranAndDropped(), cleared);
        ObjectName name = nameOf(dropped);
        assertTrue(mbeans.names().toString(), mbeans.names().contains(name));
        for (int look = 0; look < 5 && dropped.get() != null; look++) {
            mbeans.refreshLoops();
            collect(dropped, cleared);
        }
        assertNull("the dropped loop is still reachable; MBeans: " + mbeans.names(), dropped.get());
        mbeans.refreshLoops();
        assertFalse(mbeans.names().toString(), mbeans.names().contains(name));
    }

    private EventLoop ranAndDropped() {
        EventLoop loop = Asyncio.newEventLoop();
        loop.callSoon(loop::stop);
        loop.runForever();
        mbeans.refreshLoops();
        return loop;
    }

    private static ObjectName nameOf(WeakReference<EventLoop> loop) {
        return LoopkitMBeans.loopName(((InspectableLoop) loop.get()).stats().loop());
    }

    // Waits on the reference's own queue: enqueued once the collector has cleared it.
    private static void collect(WeakReference<?> reference, ReferenceQueue<?> queue) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (reference.get() != null && System.nanoTime() < deadline) {
            System.gc();
            queue.remove(20);
        }
    }
}
