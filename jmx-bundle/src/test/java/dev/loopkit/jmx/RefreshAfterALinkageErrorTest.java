package dev.loopkit.jmx;

import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Test;

/**
 * A third-party loop factory whose {@code liveLoops()} throws {@link NoClassDefFoundError} once (as a
 * factory whose bundle was updated and refreshed under it does) must not end the periodic look for
 * loops: a loop made afterwards still gets its MBean. The error cancelled the periodic task for good
 * (an outside review).
 */
public class RefreshAfterALinkageErrorTest {

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
    public void aLinkageErrorFromOneLookDoesNotEndThePeriodicLook() throws Exception {
        assertOneFailedLookDoesNotEndThePeriodicLook(new NoClassDefFoundError("org/example/ThirdPartyLoop (its bundle was refreshed)"));
    }

    /** An Error of the factory's own (a failed {@code assert}) ended the look for good too, with nothing logged (an outside review). */
    @Test(timeout = 30_000)
    public void anAssertionErrorFromOneLookDoesNotEndThePeriodicLook() throws Exception {
        assertOneFailedLookDoesNotEndThePeriodicLook(new AssertionError("the factory's bug"));
    }

    private void assertOneFailedLookDoesNotEndThePeriodicLook(Error once) throws Exception {
        mbeans = new LoopkitMBeans(ChoiceStore.NONE, 100);
        AtomicInteger looks = new AtomicInteger();
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
                if (looks.incrementAndGet() == 1) {
                    throw once;
                }
                return List.of();
            }
        };
        ProcessWide.get().loopFactories().register(broken, "broken", 0, 999, "test");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (looks.get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        EventLoop loop = Asyncio.newEventLoop();
        try {
            ObjectName expected = LoopkitMBeans.loopName(((InspectableLoop) loop).stats().loop());
            deadline = System.nanoTime() + 5_000_000_000L;
            while (!mbeans.names().contains(expected) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue("5 s after one look met the factory's " + once + ", a new loop has no MBean " + expected
                    + " (refresh 100 ms; the broken factory was asked " + looks.get() + " times); names: " + mbeans.names(),
                    mbeans.names().contains(expected));
        } finally {
            loop.close();
        }
    }
}
