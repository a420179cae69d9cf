package dev.loopkit.policy;

import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.runtime.ProcessWide;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * asyncio.run (runners.Runner.close): loop.run_until_complete(loop.shutdown_default_executor(
 * constants.THREAD_JOIN_TIMEOUT)) before loop.close(); the docs: "the executor is given a timeout
 * duration of 5 minutes to shutdown". A function still running in the default executor has ended
 * when asyncio.run returns.
 */
public class AsyncioRunWaitsForTheExecutorTest {

    @Before
    public void designateThisThreadAsMain() {
        ProcessWide.get().mainContext().designate(Thread.currentThread());
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy());
    }

    @After
    public void cleanUp() {
        ProcessWide.get().mainContext().designate(null);
        Asyncio.setEventLoopPolicy(null);
    }

    @Test
    public void asyncioRunWaitsForTheDefaultExecutorsFunctions() {
        AtomicBoolean finished = new AtomicBoolean();
        String result = Asyncio.run(loop -> {
            loop.runInExecutor(null, () -> {
                Thread.sleep(500);
                finished.set(true);
                return null;
            });
            return CompletableFuture.completedFuture("main done");
        });
        assertTrue(result + ", but the executor's function was still running when Asyncio.run returned", finished.get());
    }
}
