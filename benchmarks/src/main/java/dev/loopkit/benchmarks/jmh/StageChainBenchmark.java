package dev.loopkit.benchmarks.jmh;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.benchmarks.LoopkitDriver;
import dev.loopkit.benchmarks.Loops;
import dev.loopkit.loop.core.BaseEventLoop;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a {@code CompletionStage} step on a loop future costs: a chain of futures where each one's
 * {@code whenComplete} action makes the next future, attaches the same action to it and completes it.
 * Every stage's action runs from the loop, as asyncio's done callbacks do, so a step is a future, the
 * JDK's stage and what the loop queues for it; the way a stream's read-write loop continues
 * ({@code reader.read(n).whenComplete(...)}). Not in {@code run.sh}: for taking the stage path apart
 * with {@code -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StageChainBenchmark {

    @Param({Loops.SELECTOR, Loops.EPOLL})
    public String loop;

    @Param({"100000"})
    public int chainLength;

    private LoopkitDriver driver;
    private BaseEventLoop eventLoop;
    private final Done done = new Done();
    private int left;
    private final BiConsumer<Object, Throwable> step = this::step;

    @Setup(Level.Trial)
    public void start() {
        driver = (LoopkitDriver) Loops.start(loop);
        eventLoop = driver.loop();
    }

    @TearDown(Level.Trial)
    public void stop() {
        driver.close();
    }

    @Benchmark
    public void whenCompleteChain() throws InterruptedException {
        done.reset();
        left = chainLength;
        driver.submit(() -> step(null, null));
        done.await();
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
