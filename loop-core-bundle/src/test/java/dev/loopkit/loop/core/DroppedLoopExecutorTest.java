package dev.loopkit.loop.core;

import static org.junit.Assert.assertNull;

import java.lang.ref.WeakReference;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The default executor of a loop dropped unclosed is shut down, as asyncio's {@code close()} from
 * {@code __del__} does, without keeping the loop alive (an outside review; the shutdown's timing is
 * LoopCloseReentrancyTest's).
 */
public class DroppedLoopExecutorTest {

    /**
     * A user's executor that reaches its loop (a thread factory naming its threads after it) kept the
     * dropped loop reachable for good: the shutdown kept for the dropped loop held the executor strongly
     * from the process-wide tracking of loops. It holds a user's executor weakly now.
     */
    @Test(timeout = 60_000)
    public void aDroppedLoopWhoseExecutorReachesItIsCollected() throws Exception {
        WeakReference<BaseEventLoop> dropped = dropLoopWithAnExecutorThatReachesIt();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (dropped.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull("the dropped loop is garbage", dropped.get());
    }

    private static WeakReference<BaseEventLoop> dropLoopWithAnExecutorThatReachesIt() {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setDefaultExecutor(new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> new Thread(task, "worker-of-" + loop)));
        return new WeakReference<>(loop);
    }
}
