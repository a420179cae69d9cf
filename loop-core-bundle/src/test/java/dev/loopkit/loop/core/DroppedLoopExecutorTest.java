package dev.loopkit.loop.core;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * What a loop dropped unclosed does with its default executor: its own pool is shut down (as asyncio's
 * {@code close()} from {@code __del__} does; {@code DroppedLoopRetentionContract}), an executor of the
 * user's is left to the user, as {@code setDefaultExecutor} leaves one it replaces (ASYNCIO-DIFFERENCES).
 */
public class DroppedLoopExecutorTest {

    /**
     * A user's executor that reaches its loop (a thread factory naming its threads after it) kept the
     * dropped loop reachable for good when the shutdown kept for the dropped loop held the executor
     * (an outside review).
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

    /**
     * A user's executor, here behind a wrapper only the loop held, outlives the dropped loop untouched: the
     * user may share it, and holding it weakly to shut it down lost the wrapper with the loop (an outside
     * review), so a pool's threads ran on or not depending on how the user wrapped it.
     */
    @Test(timeout = 60_000)
    public void aDroppedLoopLeavesAUsersExecutorToTheUser() throws Exception {
        ThreadPoolExecutor inner = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        inner.prestartAllCoreThreads();
        try {
            Reference<?>[] tracked = new Reference<?>[1];
            WeakReference<BaseEventLoop> dropped = dropLoopWith(Executors.unconfigurableExecutorService(inner), tracked);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((dropped.get() != null || !tracked[0].isEnqueued()) && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertNull("the dropped loop is garbage", dropped.get());
            assertTrue("its phantom reference is queued", tracked[0].isEnqueued());
            new ParkingEventLoop().close(); // closes what the dropped loop held
            assertFalse("the user's executor is the user's to shut down", inner.isShutdown());
        } finally {
            inner.shutdownNow();
        }
    }

    private static WeakReference<BaseEventLoop> dropLoopWith(java.util.concurrent.ExecutorService users, Reference<?>[] tracked)
            throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setDefaultExecutor(users);
        Field unclosed = BaseEventLoop.class.getDeclaredField("unclosed");
        unclosed.setAccessible(true);
        tracked[0] = (Reference<?>) unclosed.get(loop);
        return new WeakReference<>(loop);
    }
}
