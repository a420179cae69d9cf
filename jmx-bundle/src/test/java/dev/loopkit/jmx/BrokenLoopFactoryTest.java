package dev.loopkit.jmx;

import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import java.util.List;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Test;

/**
 * A loop factory service whose liveLoops() fails (a third-party factory, or one whose bundle is
 * stopping) takes nothing from the others. Before, the JMX component failed to activate (the first look
 * for loops was not guarded), and every later look failed as a whole: no loop of any factory got an MBean.
 */
public class BrokenLoopFactoryTest {

    private final EventLoopFactory broken = new EventLoopFactory() {
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
            throw new IllegalStateException("the broken factory's bundle is stopping");
        }
    };
    private LoopkitMBeans mbeans;

    @After
    public void cleanUp() {
        ProcessWide.get().loopFactories().unregister(broken);
        if (mbeans != null) {
            mbeans.close();
        }
    }

    @Test(timeout = 30_000)
    public void aFactoryThatFailsToListItsLoopsDoesNotTakeThePolicyMBeansAway() throws Exception {
        ProcessWide.get().loopFactories().register(broken, "broken", 0, 999, "test");
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 60_000);
        assertTrue(mbeans.names().contains(new ObjectName(LoopkitMBeans.POLICIES)));
    }

    /** The periodic look (refreshLoopsQuietly) fails the same way: no loop of any other factory gets an MBean. */
    @Test(timeout = 30_000)
    public void aFactoryThatFailsToListItsLoopsDoesNotHideTheLoopsOfTheOthers() throws Exception {
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 100);
        ProcessWide.get().loopFactories().register(broken, "broken", 0, 999, "test");
        EventLoop loop = dev.loopkit.api.Asyncio.newEventLoop();
        try {
            ObjectName expected = LoopkitMBeans.loopName(((dev.loopkit.api.spi.InspectableLoop) loop).stats().loop());
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
