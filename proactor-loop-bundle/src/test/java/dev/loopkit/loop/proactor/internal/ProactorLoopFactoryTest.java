package dev.loopkit.loop.proactor.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.core.TrackingLoopFactory;
import dev.loopkit.loop.proactor.ProactorEventLoop;
import dev.loopkit.loop.proactor.ProactorSockets;
import dev.loopkit.loop.testing.Leaks;
import java.lang.reflect.Method;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** What stopping the proactor loop bundle does to the loops its factory made, and to later requests. */
public class ProactorLoopFactoryTest {

    @Test
    public void stoppingClosesItsLoopsAndRefusesNewOnesWithoutLeakingThem() throws Exception {
        ProactorSockets.connectOnce(); // the JDK opens a socket of its own the first time one connects
        Map<Integer, String> before = Leaks.openFds();
        ProactorLoopFactory factory = new ProactorLoopFactory();
        ProactorEventLoop idle = (ProactorEventLoop) factory.newEventLoop();
        AsynchronousSocketChannel socket = idle.openSocketChannel(); // starts the loop's channel group: threads, an epoll port
        ProactorEventLoop running = (ProactorEventLoop) factory.newEventLoop();
        running.openServerSocketChannel();
        Thread runner = new Thread(running::runForever, "test-running-proactor");
        runner.start();
        assertTrue(Leaks.await(running::isRunning, 10));
        assertEquals(2, factory.liveLoops().size());
        assertFalse(Leaks.threads("loopkit-proactor-").isEmpty());

        deactivate(factory); // what Declarative Services does when the bundle stops
        assertTrue("an idle loop made before the stop is closed", idle.isClosed());
        assertFalse("with the channels of its group", socket.isOpen());
        runner.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse("a running loop stops", runner.isAlive());
        assertTrue("and closes on its own thread", running.isClosed());
        IllegalStateException refused = assertThrows(IllegalStateException.class, factory::newEventLoop);
        assertEquals("Event loop factory 'proactor' is no longer active: its bundle stopped", refused.getMessage());
        assertEquals(List.of(), factory.liveLoops());
        assertEquals("completion threads left", List.of(), Leaks.threads("loopkit-proactor-"));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(before));
    }

    private static void deactivate(TrackingLoopFactory factory) throws Exception {
        Method deactivate = TrackingLoopFactory.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(factory);
    }
}
