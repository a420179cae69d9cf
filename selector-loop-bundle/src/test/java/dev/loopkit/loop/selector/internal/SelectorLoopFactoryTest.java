package dev.loopkit.loop.selector.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import dev.loopkit.loop.core.TrackingLoopFactory;
import dev.loopkit.loop.testing.Leaks;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.Test;

/** What stopping the selector loop bundle does to the loops its factory made, and to later requests. */
public class SelectorLoopFactoryTest {

    @Test
    public void stoppingClosesItsLoopsAndRefusesNewOnesWithoutLeakingThem() throws Exception {
        new SelectorLoopFactory().newEventLoop().close(); // the JDK opens a socket of its own once
        Map<Integer, String> before = Leaks.openFds();
        SelectorLoopFactory factory = new SelectorLoopFactory();
        EventLoop made = factory.newEventLoop();
        assertEquals(1, factory.liveLoops().size());

        deactivate(factory); // what Declarative Services does when the bundle stops
        assertTrue("a loop made before the stop is closed", made.isClosed());
        IllegalStateException refused = assertThrows(IllegalStateException.class, factory::newEventLoop);
        assertEquals("Event loop factory 'selector' is no longer active: its bundle stopped", refused.getMessage());
        assertEquals("the refused loop's selector is closed too", Map.of(), Leaks.newFds(before));
    }

    private static void deactivate(TrackingLoopFactory factory) throws Exception {
        Method deactivate = TrackingLoopFactory.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(factory);
    }
}
