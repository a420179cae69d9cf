package dev.loopkit.watcher.base;

import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.ChildWatcher;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.Test;

/**
 * A loop's {@code addSignalHandler} is the loop's code, a third party's for a loop of their own: it
 * may wait for another thread that attaches a watcher to another loop. Attaching held one lock of the
 * whole process around it, and that other thread waited for the lock: a deadlock between two loops
 * that share nothing.
 */
public class SigchldThroughLoopReentrancyTest {

    @Test(timeout = 60_000)
    public void aLoopWhoseAddSignalHandlerWaitsForAnotherAttachDoesNotDeadlock() throws Exception {
        CountDownLatch otherAttached = new CountDownLatch(1);
        boolean[] waitedOut = {false};
        EventLoop waiting = loop(signum -> {
            try {
                // another thread attaches a watcher to another loop meanwhile, and this waits for it
                Thread other = new Thread(() -> {
                    new SigchldThroughLoop(new ChildTable<>(ChildWatcher.class), () -> { }, System.getLogger("test"))
                            .attach(loop(s -> { }));
                    otherAttached.countDown();
                });
                other.start();
                waitedOut[0] = !otherAttached.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        new SigchldThroughLoop(new ChildTable<>(ChildWatcher.class), () -> { }, System.getLogger("test")).attach(waiting);
        assertTrue("the other loop's attach waited for the lock this attach held around addSignalHandler", !waitedOut[0]);
    }

    /** A loop that is running, whose addSignalHandler is {@code onAdd}. */
    private static EventLoop loop(Consumer<Integer> onAdd) {
        return (EventLoop) Proxy.newProxyInstance(SigchldThroughLoopReentrancyTest.class.getClassLoader(),
                new Class<?>[] {EventLoop.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "addSignalHandler" -> {
                        onAdd.accept((Integer) args[0]);
                        yield null;
                    }
                    case "isRunning" -> true;
                    case "isClosed", "removeSignalHandler" -> false;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "third-party loop";
                    default -> null;
                });
    }
}
