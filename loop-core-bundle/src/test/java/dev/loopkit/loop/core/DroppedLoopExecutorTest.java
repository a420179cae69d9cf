package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.loopkit.testsupport.OtherThread;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The default executor of a loop dropped unclosed is shut down, as asyncio's {@code close()} from
 * {@code __del__} does, without two faults an outside review found in the first way of doing it.
 */
public class DroppedLoopExecutorTest {

    /**
     * A user's executor, shut down for a dropped loop by another loop's {@code close()}, may hand a
     * {@code close()} of that loop to another thread and wait for it (user code, as in
     * LoopCloseReentrancyTest): the shutdown ran while the loop still closed, and that close waited for
     * ever. It runs once the loop is closed now.
     */
    @Test(timeout = 120_000)
    public void aDroppedLoopsExecutorShutDownByAnotherLoopsCloseMayWaitForThatClose() throws Exception {
        ParkingEventLoop closing = new ParkingEventLoop();
        CompletableFuture<Boolean> returnedInTime = new CompletableFuture<>();
        ThreadPoolExecutor users = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>()) {
            @Override
            public void shutdown() {
                super.shutdown();
                if (!returnedInTime.isDone()) {
                    returnedInTime.complete(OtherThread.returns(closing::close));
                }
            }
        };
        Reference<?>[] tracked = new Reference<?>[1];
        WeakReference<BaseEventLoop> dropped = dropLoopWith(users, tracked);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((dropped.get() != null || !tracked[0].isEnqueued()) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull("the dropped loop is garbage", dropped.get());
        assertTrue("its phantom reference is queued", tracked[0].isEnqueued());
        closing.close(); // closes what the dropped loop held: its executor, whose shutdown closes `closing` elsewhere
        assertTrue("the dropped loop's executor was shut down", returnedInTime.isDone());
        assertEquals("the other thread's close() returned while the executor shut down", true, returnedInTime.get());
        Reference.reachabilityFence(users); // the user holds the executor: it is shut down, not collected
    }

    private static WeakReference<BaseEventLoop> dropLoopWith(ThreadPoolExecutor users, Reference<?>[] tracked) throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        loop.setDefaultExecutor(users);
        Field unclosed = BaseEventLoop.class.getDeclaredField("unclosed");
        unclosed.setAccessible(true);
        tracked[0] = (Reference<?>) unclosed.get(loop);
        return new WeakReference<>(loop);
    }

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
