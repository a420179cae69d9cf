package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.streams.StreamReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.Test;

/**
 * Chains of continuations on loop futures, as a user writes a read-until-EOF loop without
 * coroutines: each read continues in the callback of the previous one. asyncio runs every done
 * callback through {@code call_soon} (futures.py {@code __schedule_callbacks}), even one added to a
 * future that is already done, so such a chain never grows the stack however much is buffered; and
 * {@code Handle._run} hands whatever a callback throws to the exception handler. Every loop
 * implementation runs this by extending it.
 */
public abstract class FutureChainContract extends LoopTestSupport {

    /** Reads 1,000,000 times: once recursed 3,000 reads deep and overflowed the stack, silently. */
    private static final int CHUNKS = 1_000_000;
    private static final int CHUNK_SIZE = 4;

    /**
     * Runs the loop until {@code done} completes, with a hang guard outside the loop: {@link #runFor}'s
     * deadline is a loop timer, and the overflowing chain outlived it (its future was done, but the stop
     * that {@code runUntilComplete} schedules was lost to the overflow: the loop slept in
     * {@code select} with no timer left).
     */
    private <T> T runGuarded(CompletionStage<T> done) {
        Thread guard = new Thread(() -> {
            try {
                Thread.sleep((long) (DEADLINE_SECONDS * 3_000));
                loop.stop();
            } catch (InterruptedException finished) {
                // the run ended first
            }
        }, "future-chain-hang-guard");
        guard.setDaemon(true);
        guard.start();
        try {
            return runFor(done);
        } finally {
            guard.interrupt();
        }
    }

    /** A reader holding {@link #CHUNKS} chunks and the end of the stream: every read completes at once. */
    private StreamReader bufferedReader() {
        StreamReader reader = new StreamReader(loop, Integer.MAX_VALUE);
        byte[] all = new byte[CHUNKS * CHUNK_SIZE];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        reader.feedData(ByteBuffer.wrap(all));
        reader.feedEof();
        return reader;
    }

    private static CompletionStage<Long> readAllComposed(StreamReader reader, long total) {
        return reader.read(CHUNK_SIZE).thenCompose(chunk -> chunk.length == 0
                ? CompletableFuture.completedFuture(total)
                : readAllComposed(reader, total + chunk.length));
    }

    @Test
    public void aMillionBufferedReadsChainedWithThenCompose() {
        StreamReader reader = bufferedReader();
        assertEquals(Long.valueOf((long) CHUNKS * CHUNK_SIZE), runGuarded(readAllComposed(reader, 0)));
        assertTrue(reader.atEof());
    }

    @Test
    public void aMillionBufferedReadsChainedWithWhenComplete() {
        StreamReader reader = bufferedReader();
        CompletableFuture<Long> done = new CompletableFuture<>();
        long[] total = {0};
        Runnable[] next = new Runnable[1];
        next[0] = () -> reader.read(CHUNK_SIZE).whenComplete((chunk, error) -> {
            try {
                if (error != null || chunk.length == 0) {
                    done.complete(total[0]);
                    return;
                }
                total[0] += chunk.length;
                next[0].run();
            } catch (Throwable anything) { // the catch-all that printed nothing: the error was elsewhere
                done.completeExceptionally(anything);
            }
        });
        loop.callSoon(next[0]); // from a loop callback, as a protocol would start it
        assertEquals(Long.valueOf((long) CHUNKS * CHUNK_SIZE), runGuarded(done));
    }

    @Test
    public void aMillionBufferedReadsChainedWithDoneCallbacks() {
        StreamReader reader = bufferedReader();
        LoopFuture<Long> done = loop.createFuture();
        long[] total = {0};
        Runnable[] next = new Runnable[1];
        next[0] = () -> reader.read(CHUNK_SIZE).addDoneCallback(read -> {
            byte[] chunk = read.result();
            if (chunk.length == 0) {
                done.setResult(total[0]);
            } else {
                total[0] += chunk.length;
                next[0].run();
            }
        });
        next[0].run();
        assertEquals(Long.valueOf((long) CHUNKS * CHUNK_SIZE), runGuarded(done));
    }

    /** asyncio: a callback added to a done future runs from the loop, after the caller returned. */
    @Test
    public void stagesOfADoneFutureRunFromTheLoopNotInline() {
        LoopFuture<String> future = loop.createFuture();
        future.setResult("x");
        List<String> order = new ArrayList<>();
        CompletionStage<String> applied = future.thenApply(value -> {
            order.add("thenApply " + value);
            return value + "y";
        });
        future.whenComplete((value, error) -> order.add("whenComplete " + value));
        future.addDoneCallback(f -> order.add("doneCallback " + f.result()));
        assertEquals("nothing ran inline", List.of(), order);
        assertEquals("xy", runFor(applied));
        runFor(afterOneIteration());
        assertEquals(List.of("doneCallback x", "thenApply x", "whenComplete x"), order.stream().sorted().toList());
    }

    /**
     * The JDK's {@code minimalCompletionStage()} of a loop future is a stage of the loop too: the
     * JDK's own ran its stages inline, on whichever thread completed the future (here another one),
     * and its async stages in the common pool.
     */
    @Test
    public void stagesOfAMinimalCompletionStageRunFromTheLoop() throws Exception {
        LoopFuture<String> future = loop.createFuture();
        CompletionStage<String> minimal = future.toCompletableFuture().minimalCompletionStage();
        Thread loopThread = Thread.currentThread(); // runFor runs the loop here
        List<String> ranOn = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletionStage<String> applied = minimal.thenApply(value -> {
            ranOn.add("thenApply " + (Thread.currentThread() == loopThread));
            return value + "y";
        });
        CompletionStage<String> appliedAsync = minimal.thenApplyAsync(value -> {
            ranOn.add("thenApplyAsync " + (Thread.currentThread() == loopThread));
            return value + "z";
        });
        Thread completer = new Thread(() -> future.toCompletableFuture().complete("x"));
        completer.start();
        completer.join();
        assertEquals("xy", runFor(applied));
        assertEquals("xz", runFor(appliedAsync));
        assertEquals(List.of("thenApply true", "thenApplyAsync true"), ranOn.stream().sorted().toList());

        List<String> inline = new ArrayList<>();
        CompletionStage<String> late = minimal.thenApply(value -> {
            inline.add(value);
            return value;
        });
        assertEquals("nothing ran inline on a done future's minimal stage", List.of(), inline);
        assertEquals("x", runFor(late));
        // as the JDK's: a minimal stage cannot be completed through a cast
        if (minimal instanceof CompletableFuture<String> cast) {
            assertThrows(UnsupportedOperationException.class, () -> cast.complete("no"));
        }
        assertEquals("x", runFor(minimal.toCompletableFuture()));
    }

    /**
     * Every way the JDK offers to complete a loop future, and a derived stage's own completion, runs
     * its done callbacks once each, from the loop and not inline, in the order they were added
     * (asyncio's {@code __schedule_callbacks}): the loop's own futures schedule them from their
     * completers, derived stages and the JDK's internal completions through a hook.
     */
    @Test
    public void everyWayToCompleteAFutureRunsItsDoneCallbacksOnceFromTheLoop() {
        Map<String, Consumer<CompletableFuture<String>>> completions = new LinkedHashMap<>();
        completions.put("complete", f -> f.complete("v"));
        completions.put("completeExceptionally", f -> f.completeExceptionally(new IllegalStateException("e")));
        completions.put("cancel(true)", f -> f.cancel(true));
        completions.put("cancel(String)", f -> ((LoopFuture<String>) f).cancel("why"));
        completions.put("obtrudeValue", f -> f.obtrudeValue("v"));
        completions.put("obtrudeException", f -> f.obtrudeException(new IllegalStateException("e")));
        completions.put("completeAsync", f -> f.completeAsync(() -> "v", Runnable::run));
        completions.put("completeOnTimeout", f -> f.completeOnTimeout("v", 1, TimeUnit.MILLISECONDS));
        completions.put("orTimeout", f -> f.orTimeout(1, TimeUnit.MILLISECONDS));
        for (boolean derived : new boolean[] {false, true}) {
            for (Map.Entry<String, Consumer<CompletableFuture<String>>> way : completions.entrySet()) {
                String what = way.getKey() + (derived ? " of a derived stage" : "");
                LoopFuture<String> source = loop.createFuture();
                LoopFuture<String> future = derived ? (LoopFuture<String>) source.thenApply(value -> value) : source;
                List<String> ran = new ArrayList<>();
                CompletableFuture<Void> secondRan = new CompletableFuture<>();
                future.addDoneCallback(f -> ran.add("first"));
                future.addDoneCallback(f -> {
                    ran.add("second");
                    secondRan.complete(null);
                });
                Consumer<LoopFuture<String>> removed = f -> ran.add("removed");
                future.addDoneCallback(removed);
                assertEquals(what, 1, future.removeDoneCallback(removed));
                way.getValue().accept(future.toCompletableFuture());
                assertEquals(what + ": nothing inline", List.of(), ran);
                runFor(secondRan); // the timeouts complete the future on the JDK's timer thread, later
                runFor(afterOneIteration());
                assertEquals(what, List.of("first", "second"), ran);
                future.addDoneCallback(f -> ran.add("late"));
                assertEquals(what + ": a late callback is not inline either", 2, ran.size());
                runFor(afterOneIteration());
                assertEquals(what, List.of("first", "second", "late"), ran);
            }
        }
    }


    /** Reentrant: a stage that adds a stage to its own (done) future gets it run later, from the loop. */
    @Test
    public void aStageAddingAStageToItsOwnFutureGetsItRunNextIteration() {
        LoopFuture<String> future = loop.createFuture();
        future.setResult("x");
        List<String> order = new ArrayList<>();
        CompletableFuture<Void> inner = new CompletableFuture<>();
        future.thenAccept(value -> {
            future.thenAccept(again -> {
                order.add("inner");
                inner.complete(null);
            });
            order.add("outer returned");
        });
        runFor(inner);
        assertEquals(List.of("outer returned", "inner"), order);
    }

    /**
     * asyncio's run_until_complete adds a done callback that stops the loop: the future is done in
     * iteration 1, the callback runs (and stops) in iteration 2, and the loop returns after it.
     */
    @Test
    public void runUntilCompleteReturnsAfterTheIterationFollowingCompletion() {
        LoopFuture<String> future = loop.createFuture();
        int[] iterations = {0};
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            iterations[0]++;
            loop.callSoon(tick[0]);
        };
        loop.callSoon(tick[0]);
        loop.callSoon(() -> future.setResult("x"));
        assertEquals("x", loop.runUntilComplete(future));
        assertEquals(2, iterations[0]);
    }

    /** A stage derived from a loop future is a loop future of the same loop: its own stages run there too. */
    @Test
    public void derivedStagesAreLoopFuturesOfTheSameLoop() {
        LoopFuture<Integer> future = loop.createFuture();
        CompletionStage<Integer> derived = future.thenApply(n -> n + 1);
        assertTrue(derived instanceof LoopFuture<?>);
        assertSame(loop, ((LoopFuture<?>) derived).getLoop());
        future.setResult(1);
        assertEquals(Integer.valueOf(2), runFor(derived));
        assertThrows("a missing action is refused at once, as the JDK refuses it",
                NullPointerException.class, () -> future.thenAccept(null));
    }

    /**
     * A stage derived from a cancelled future is cancelled, with the cancel's message, as an asyncio task
     * awaiting a cancelled future ends cancelled ({@code Task.__step} cancels itself on the
     * {@code CancelledError}): {@code isCancelled()} says so and {@code exception()} raises it. The JDK
     * completes such a stage with the {@code CancellationException} wrapped in a {@code CompletionException},
     * so the stage said it was not cancelled and {@code exception()} returned the cancellation (an
     * outside review).
     */
    @Test
    public void aStageOfACancelledFutureIsCancelledWithItsMessage() {
        LoopFuture<String> future = loop.createFuture();
        LoopFuture<String> derived = (LoopFuture<String>) future.thenApply(value -> value + "!");
        assertTrue(future.cancel("the reason"));
        assertEquals("the reason", assertThrows(CancellationException.class, () -> runFor(derived)).getMessage());
        assertTrue(derived.toString(), derived.isCancelled());
        assertEquals("the reason", assertThrows(CancellationException.class, derived::exception).getMessage());
        assertEquals("the reason", assertThrows(CancellationException.class, derived::result).getMessage());
        assertEquals("the reason", assertThrows(CancellationException.class, () -> loop.runUntilComplete(derived)).getMessage());
        LoopFuture<String> thrownIn = (LoopFuture<String>) future.<String>handle((value, error) -> {
            throw new CancellationException("cancelled by the stage");
        });
        assertEquals("cancelled by the stage", assertThrows(CancellationException.class, () -> runFor(thrownIn)).getMessage());
        assertTrue("a stage that raised CancellationException is cancelled, as a task that raised CancelledError",
                thrownIn.isCancelled());
    }

    @Test
    public void anErrorThrownInAStageReachesTheExceptionHandlerAndTheDerivedStage() {
        List<Map<String, Object>> reported = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        LoopFuture<String> future = loop.createFuture();
        StackOverflowError thrown = new StackOverflowError("thrown by the test");
        CompletionStage<String> derived = future.whenComplete((value, error) -> {
            throw thrown;
        });
        future.setResult("x");
        assertSame(thrown, assertThrows(StackOverflowError.class, () -> runFor(derived)));
        runFor(afterOneIteration());
        assertEquals(1, reported.size());
        assertSame(thrown, reported.get(0).get("exception"));
    }

    @Test
    public void anErrorThrownInADoneCallbackReachesTheExceptionHandler() {
        List<Map<String, Object>> reported = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        LoopFuture<String> future = loop.createFuture();
        StackOverflowError thrown = new StackOverflowError("thrown by the test");
        future.addDoneCallback(f -> {
            throw thrown;
        });
        future.setResult("x");
        runFor(afterOneIteration());
        assertEquals(1, reported.size());
        assertSame(thrown, reported.get(0).get("exception"));
    }

    /** A fatal error (not a stack overflow) leaves the loop, as the loop's own callbacks do: it reaches the caller. */
    @Test
    public void anOutOfMemoryErrorThrownInAStageEndsTheRun() {
        LoopFuture<String> future = loop.createFuture();
        OutOfMemoryError thrown = new OutOfMemoryError("thrown by the test");
        future.thenAccept(value -> {
            throw thrown;
        });
        future.setResult("x");
        OutOfMemoryError escaped = assertThrows(OutOfMemoryError.class, () -> runFor(afterOneIteration()));
        assertSame(thrown, escaped);
    }

    /** Completes two iterations from now, so that what the current one scheduled has run. */
    private CompletionStage<Void> afterOneIteration() {
        CompletableFuture<Void> ran = new CompletableFuture<>();
        loop.callSoon(() -> loop.callSoon(() -> ran.complete(null)));
        return ran;
    }
}
