package dev.loopkit.loop.core;

import dev.loopkit.testsupport.OtherThread;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * An executor set with {@code setDefaultExecutor} is the user's: its {@code shutdown()}, which the
 * loop calls when it closes (asyncio's {@code executor.shutdown(wait=False)}), may hand any call to
 * another thread and wait for it. It must not run under the lock that {@code setDefaultExecutor} and
 * {@code runInExecutor(null, …)} take.
 */
public class DefaultExecutorReentrancyTest {

    private static final long WAIT_SECONDS = OtherThread.WAIT_SECONDS;

    @Test(timeout = 60_000)
    public void aUserExecutorsShutdownThatWaitsForAnotherThreadsSetDefaultExecutorDoesNotDeadlock() throws Exception {
        ParkingEventLoop loop = new ParkingEventLoop();
        CompletableFuture<String> worker = new CompletableFuture<>();
        ThreadPoolExecutor another = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        CompletableFuture<Boolean> returnedInTime = new CompletableFuture<>();
        ThreadPoolExecutor users = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>()) {
            @Override
            public void shutdown() {
                super.shutdown();
                if (returnedInTime.isDone()) {
                    return;
                }
                returnedInTime.complete(OtherThread.returns(() -> {
                    try {
                        loop.setDefaultExecutor(another);
                        worker.complete("accepted");
                    } catch (IllegalStateException refused) {
                        worker.complete(refused.getMessage());
                    }
                }));
            }
        };
        loop.setDefaultExecutor(users);
        loop.close();
        assertTrue("the loop shut the user's executor down", returnedInTime.isDone());
        assertTrue("the other thread's setDefaultExecutor returned while the executor shut down", returnedInTime.get());
        assertEquals("Executor shutdown has been called", worker.get(WAIT_SECONDS, TimeUnit.SECONDS));
        another.shutdown();
        assertEquals(true, users.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
    }
}
