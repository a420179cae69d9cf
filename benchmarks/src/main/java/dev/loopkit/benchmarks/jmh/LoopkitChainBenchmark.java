package dev.loopkit.benchmarks.jmh;

import dev.loopkit.benchmarks.LoopkitDriver;
import dev.loopkit.benchmarks.Loops;
import dev.loopkit.loop.core.BaseEventLoop;
import java.util.concurrent.TimeUnit;
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
 * A chain of {@code chainLength} links on one of Loopkit's loops, for the benchmarks that take a chain's
 * cost apart ({@link ChainHandleBenchmark}, {@link StageChainBenchmark}; not in {@code run.sh}): a link
 * on the loop thread counts {@link #left} down and signals {@link #done} at zero.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class LoopkitChainBenchmark {

    @Param({Loops.SELECTOR, Loops.EPOLL})
    public String loop;

    @Param({"100000"})
    public int chainLength;

    LoopkitDriver driver;
    BaseEventLoop eventLoop;
    final Done done = new Done();
    /** Links still to run; loop thread only once a batch started. */
    int left;

    @Setup(Level.Trial)
    public void start() {
        driver = (LoopkitDriver) Loops.start(loop);
        eventLoop = driver.loop();
    }

    @TearDown(Level.Trial)
    public void stop() {
        driver.close();
    }

    /** Starts a batch of {@link #chainLength} links with {@code first} on the loop, and waits for its end. */
    void runChain(Runnable first) throws InterruptedException {
        done.reset();
        left = chainLength;
        driver.submit(first);
        done.await();
    }
}
