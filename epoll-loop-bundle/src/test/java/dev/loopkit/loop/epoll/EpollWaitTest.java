package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.testing.Leaks;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.Test;

/**
 * What only the epoll loop does: its wait in milliseconds never ends before a timer is due, and it
 * closes its epoll set and wake-up eventfd with it.
 */
public class EpollWaitTest {

    @Test
    public void theWaitIsRoundedUpToWholeMilliseconds() {
        assertEquals(-1, EpollEventLoop.timeoutMillis(-1));
        assertEquals(0, EpollEventLoop.timeoutMillis(0));
        assertEquals("a nanosecond is a whole millisecond: never early", 1, EpollEventLoop.timeoutMillis(1));
        assertEquals(1, EpollEventLoop.timeoutMillis(1_000_000));
        assertEquals(2, EpollEventLoop.timeoutMillis(1_000_001));
        assertEquals(Integer.MAX_VALUE, EpollEventLoop.timeoutMillis(Long.MAX_VALUE));
    }

    @Test
    public void closingGivesBackTheEpollSetAndTheEventfd() {
        new EpollEventLoop().close(); // the JVM's own first-use descriptors (/dev/random, /dev/urandom) opened
        Map<Integer, String> before = Leaks.openFds();
        EpollEventLoop loop = new EpollEventLoop();
        Map<Integer, String> open = Leaks.openFds();
        loop.close();
        // What the close closed, by number. Not what the loop added to `before`: a loop an earlier test
        // dropped unclosed is closed when the next loop is made (UnclosedLoops), and this one took its
        // numbers when a collection came between (CI: only the eventfd looked new).
        Map<Integer, String> closed = new TreeMap<>(open);
        closed.keySet().removeAll(Leaks.openFds().keySet());
        assertTrue("an epoll set and an eventfd: " + closed,
                closed.containsValue("anon_inode:[eventpoll]") && closed.containsValue("anon_inode:[eventfd]"));
        assertEquals(Map.of(), Leaks.newFds(before));
        assertEquals(List.of(), Leaks.threads("loopkit-fdpoller-"));
    }
}
