package dev.loopkit.watcher.base;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import java.lang.reflect.Proxy;
import org.junit.Test;

/**
 * Attached to a closed loop, the safe and fast watchers refuse in asyncio's words ("Event loop is
 * closed", from the loop's addSignalHandler), and then say why they are inactive: the loop is closed.
 * They said another watcher had taken the loop's SIGCHLD handler (an outside review).
 */
public class SigchldThroughLoopInactiveReasonTest {

    @Test
    public void attachedToAClosedLoopItSaysTheLoopIsClosed() {
        EventLoop closed = (EventLoop) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {EventLoop.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "addSignalHandler" -> throw new IllegalStateException("Event loop is closed");
                    case "isRunning" -> false;
                    case "isClosed" -> true;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "<closed loop>";
                    default -> null;
                });
        SigchldThroughLoop sigchld = new SigchldThroughLoop(new ChildTable<>(ChildWatcher.class), () -> { }, System.getLogger("test"));
        assertEquals("Event loop is closed", assertThrows(IllegalStateException.class, () -> sigchld.attach(closed)).getMessage());
        assertEquals("its loop <closed loop> is closed", sigchld.inactiveReason());
    }
}
