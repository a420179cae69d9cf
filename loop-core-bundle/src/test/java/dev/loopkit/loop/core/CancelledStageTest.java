package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Test;

/**
 * A stage derived from a cancelled future is cancelled (FutureChainContract): every way to ask agrees,
 * and asking costs a field read. A second look at that fix found {@code get()}, {@code join()} and
 * {@code getNow()} still throwing the JDK's wrappers where {@code isCancelled()} said true (the
 * {@code Future} contract has them throw {@code CancellationException}), and {@code isCancelled()} of any
 * failed future building a {@code CompletionException} with its stack trace on every call (1,488 bytes).
 */
public class CancelledStageTest {

    private final ParkingEventLoop loop = new ParkingEventLoop();

    @After
    public void close() {
        loop.close();
    }

    @Test
    public void everyWayToAskACancelledStageSaysCancelledWithTheMessage() {
        DefaultLoopFuture<String> future = new DefaultLoopFuture<>(loop);
        CompletableFuture<String> derived = future.thenApply(value -> value + "!");
        future.cancel("the reason");
        assertEquals("the reason", assertThrows(CancellationException.class, () -> loop.runUntilComplete(derived)).getMessage());
        assertTrue(derived.isCancelled());
        assertEquals("get()", "the reason", assertThrows(CancellationException.class, derived::get).getMessage());
        assertEquals("join()", "the reason", assertThrows(CancellationException.class, derived::join).getMessage());
        assertEquals("getNow()", "the reason", assertThrows(CancellationException.class, () -> derived.getNow("x")).getMessage());
    }

    @Test
    public void aFailedStageStillThrowsTheJdksWrappers() {
        DefaultLoopFuture<String> future = new DefaultLoopFuture<>(loop);
        CompletableFuture<String> derived = future.thenApply(value -> value + "!");
        IOException reset = new IOException("Connection reset by peer");
        future.setException(reset);
        assertThrows(CompletionException.class, () -> loop.runUntilComplete(derived.handle((ok, error) -> {
            throw new CompletionException(error);
        })));
        assertFalse(derived.isCancelled());
        assertEquals(reset, assertThrows(CompletionException.class, derived::join).getCause());
        assertEquals(reset, assertThrows(java.util.concurrent.ExecutionException.class, derived::get).getCause());
    }

    @Test
    public void isCancelledOfAFailedFutureOrStageAllocatesNothing() throws Exception {
        DefaultLoopFuture<String> failed = new DefaultLoopFuture<>(loop);
        failed.setException(new IOException("Connection reset by peer"));
        CompletableFuture<String> failedStage = failed.thenApply(value -> value + "!");
        loop.runUntilComplete(failedStage.handle((ok, error) -> null));
        for (CompletableFuture<String> asked : java.util.List.of(failed, failedStage)) {
            for (int i = 0; i < 20_000; i++) {
                asked.isCancelled();
            }
            long before = allocatedBytes();
            boolean any = false;
            for (int i = 0; i < 100_000; i++) {
                any |= asked.isCancelled();
            }
            long perCall = (allocatedBytes() - before) / 100_000;
            assertFalse(any);
            assertTrue(perCall + " bytes a call", perCall < 8);
        }
    }

    // ---- obtrude*: the outcome replaced, the answer follows (a third look: isCancelled() kept the old one) ----

    @Test
    public void obtrudeExceptionAfterAWrappedCancellationIsNoLongerCancelled() {
        DefaultLoopFuture<String> future = new DefaultLoopFuture<>(loop);
        future.setException(new CompletionException(new CancellationException("m")));
        assertTrue(future.isCancelled());
        IOException reset = new IOException("reset");
        future.obtrudeException(reset);
        allSayFailed(future, reset);
    }

    @Test
    public void obtrudeValueThenExceptionAfterAWrappedCancellationIsNoLongerCancelled() {
        DefaultLoopFuture<String> future = new DefaultLoopFuture<>(loop);
        future.setException(new CompletionException(new CancellationException("m")));
        future.obtrudeValue("v");
        assertFalse(future.isCancelled());
        IOException reset = new IOException("reset");
        future.obtrudeException(reset);
        allSayFailed(future, reset);
    }

    @Test
    public void obtrudeAWrappedCancellationAfterAFailureIsCancelled() {
        DefaultLoopFuture<String> future = new DefaultLoopFuture<>(loop);
        future.setException(new IOException("reset"));
        assertFalse(future.isCancelled());
        future.obtrudeException(new CompletionException(new CancellationException("m")));
        assertTrue(future.isCancelled());
        assertEquals("CANCELLED", future.state());
        assertEquals("m", assertThrows(CancellationException.class, future::get).getMessage());
        assertEquals("m", assertThrows(CancellationException.class, future::join).getMessage());
    }

    @Test
    public void obtrudeOnACancelledDerivedStageFollows() {
        DefaultLoopFuture<String> future = new DefaultLoopFuture<>(loop);
        CompletableFuture<String> stage = future.thenApply(value -> value);
        future.cancel("m");
        assertThrows(CancellationException.class, () -> loop.runUntilComplete(stage));
        assertTrue(stage.isCancelled()); // found out lazily, and kept
        IOException reset = new IOException("reset");
        stage.obtrudeException(reset);
        allSayFailed((DefaultLoopFuture<String>) stage, reset);
    }

    private static void allSayFailed(DefaultLoopFuture<String> future, Throwable failure) {
        assertFalse("isCancelled", future.isCancelled());
        assertEquals("state()", "FINISHED", future.state());
        assertSame("get()", failure, assertThrows(java.util.concurrent.ExecutionException.class, future::get).getCause());
        assertSame("join()", failure, assertThrows(CompletionException.class, future::join).getCause());
        assertSame("exception()", failure, future.exception());
    }

    private static long allocatedBytes() throws Exception {
        return (Long) ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName(ManagementFactory.THREAD_MXBEAN_NAME), "CurrentThreadAllocatedBytes");
    }
}
