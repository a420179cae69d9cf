package dev.loopkit.loop.epoll.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import dev.loopkit.loop.core.TrackingLoopFactory;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.loop.testing.Leaks;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.Test;

/** What stopping the epoll loop bundle does to the loops its factory made, and to later requests. */
public class EpollLoopFactoryTest {

    @Test
    public void stoppingClosesItsLoopsAndRefusesNewOnesWithoutLeakingThem() throws Exception {
        new EpollLoopFactory().newEventLoop().close(); // loads what it needs once
        Map<Integer, String> before = Leaks.openFds();
        EpollLoopFactory factory = new EpollLoopFactory();
        EventLoop made = factory.newEventLoop();
        assertEquals(1, factory.liveLoops().size());

        deactivate(factory); // what Declarative Services does when the bundle stops
        assertTrue("a loop made before the stop is closed", made.isClosed());
        IllegalStateException refused = assertThrows(IllegalStateException.class, factory::newEventLoop);
        assertEquals("Event loop factory 'epoll' is no longer active: its bundle stopped", refused.getMessage());
        assertEquals("the refused loop's epoll set and eventfd are closed too", Map.of(), Leaks.newFds(before));
    }

    @Test
    public void theModulePathProviderIsTheFactoryWhereTheLoopWorks() {
        assertEquals("epoll and eventfd work on this Linux", null, EpollEventLoop.unavailableReason());
        EventLoop loop = EpollLoopFactory.provider().newEventLoop();
        assertTrue(loop instanceof EpollEventLoop);
        loop.close();
    }

    private static void deactivate(TrackingLoopFactory factory) throws Exception {
        Method deactivate = TrackingLoopFactory.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(factory);
    }
}
