package dev.loopkit.loop.core;

import static org.junit.Assert.assertFalse;

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
        DroppedLoop.drop(loop -> loop.setDefaultExecutor(new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> new Thread(task, "worker-of-" + loop)))).awaitCollected();
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
            DroppedLoop.drop(loop -> loop.setDefaultExecutor(Executors.unconfigurableExecutorService(inner))).awaitCollected();
            new ParkingEventLoop().close(); // closes what the dropped loop held
            assertFalse("the user's executor is the user's to shut down", inner.isShutdown());
        } finally {
            inner.shutdownNow();
        }
    }
}
