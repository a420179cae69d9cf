package dev.loopkit.benchmarks.jmh;

import dev.loopkit.benchmarks.LoopkitDriver;
import dev.loopkit.benchmarks.Loops;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.scheduling.InboundHandle;
import java.util.concurrent.TimeUnit;
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
 * What the {@code callSoon} chain pays for its handles: the chain of {@link LoopCoreBenchmark} with a
 * new handle per link ({@link #freshHandle}, an {@link InboundHandle}: 24 bytes, the size of a future's
 * done callback; {@code callSoon} on the loop thread makes a 16-byte one) against one handle
 * scheduled again and again ({@link #reusedHandle}, which allocates nothing: legal here only because
 * the chain schedules a handle once it has run). Both go through {@code callSoonHandle}, so the
 * difference is the allocation alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChainHandleBenchmark {

    @Param({Loops.SELECTOR, Loops.EPOLL})
    public String loop;

    @Param({"100000"})
    public int chainLength;

    private LoopkitDriver driver;
    private BaseEventLoop eventLoop;
    private final Done done = new Done();
    private int left;
    private final Reused reused = new Reused();

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
    public void freshHandle() throws InterruptedException {
        done.reset();
        left = chainLength;
        driver.submit(() -> eventLoop.callSoonHandle(new Fresh()));
        done.await();
    }

    @Benchmark
    public void reusedHandle() throws InterruptedException {
        done.reset();
        left = chainLength;
        driver.submit(() -> eventLoop.callSoonHandle(reused));
        done.await();
    }

    /** A link that schedules a new link. Loop thread only. */
    private final class Fresh extends InboundHandle implements Runnable {
        @Override
        public void run() {
            if (--left == 0) {
                done.signal();
            } else {
                eventLoop.callSoonHandle(new Fresh());
            }
        }
    }

    /** The one link, scheduled again once it has run. Loop thread only. */
    private final class Reused extends InboundHandle implements Runnable {
        @Override
        public void run() {
            if (--left == 0) {
                done.signal();
            } else {
                eventLoop.callSoonHandle(this);
            }
        }
    }
}
