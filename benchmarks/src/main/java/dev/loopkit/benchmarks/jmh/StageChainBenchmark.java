package dev.loopkit.benchmarks.jmh;

import dev.loopkit.api.LoopFuture;
import java.util.function.BiConsumer;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * What a {@code CompletionStage} step on a loop future costs: a chain of futures where each one's
 * {@code whenComplete} action makes the next future, attaches the same action to it and completes it.
 * Every stage's action runs from the loop, as asyncio's done callbacks do, so a step is a future, the
 * JDK's stage and what the loop queues for it; the way a stream's read-write loop continues
 * ({@code reader.read(n).whenComplete(...)}). Not in {@code run.sh}: for taking the stage path apart
 * with {@code -prof gc}.
 */
public class StageChainBenchmark extends LoopkitChainBenchmark {

    private final BiConsumer<Object, Throwable> step = this::step;

    @Benchmark
    public void whenCompleteChain() throws InterruptedException {
        runChain(() -> step(null, null));
    }

    /** One link: the next future, its stage, and its completion. Loop thread only. */
    private void step(Object result, Throwable failure) {
        if (failure != null) {
            throw new IllegalStateException("a link failed", failure);
        }
        if (--left == 0) {
            done.signal();
            return;
        }
        LoopFuture<Object> next = eventLoop.createFuture();
        next.whenComplete(step);
        next.setResult(result);
    }
}
