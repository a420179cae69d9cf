package dev.loopkit.benchmarks.jmh;

import dev.loopkit.benchmarks.LoopDriver;
import dev.loopkit.benchmarks.Loops;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
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
 * The loop core, one batch per operation, on each loop: Loopkit's selector, proactor and epoll loops and
 * Netty's NIO and epoll loops (one thread each). Each operation is handed to the loop from the
 * benchmark thread and ends when the loop says the batch is done; the time per operation divided
 * by the batch size is the cost per callback (the driver turns it into a rate).
 *
 * <ul>
 *   <li>{@link #callSoonChain}: each callback schedules the next, {@code chainLength} times;</li>
 *   <li>{@link #callSoonUpFront}: {@code upFront} callbacks scheduled by one callback, then run;</li>
 *   <li>{@link #futureChain}: {@code chainLength} futures, each completed from the done callback of
 *       the one before (Loopkit {@code LoopFuture}, Netty {@code Promise});</li>
 *   <li>{@link #timers}: {@code timers} timers with random whole-millisecond delays in
 *       [0, {@code maxDelayMillis}] (the same seed on every loop), until the last has fired: the
 *       time is at least {@code maxDelayMillis}; what is above it is the loop's cost and lateness.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
// Six warm-up seconds, not three: the callbacks' handles (asyncio's Handle: 16 bytes from the loop thread, 24 from another) fill
// young-generation pages the JVM touches for the first time, and each faults in the first store to it;
// on this machine one producer's callSoonThreadsafe ran 100 to 155 ms a million in the 2nd to 4th
// second of a fork and 24 to 31 ms from the 5th on, tuned and with default flags alike (1M up front:
// 29 to 46 ms, then 19 to 21 from the 5th). The cold pass (Bench.JmhPass.COLD) measures a fresh JVM.
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
public class LoopCoreBenchmark {

    @Param({Loops.SELECTOR, Loops.PROACTOR, Loops.EPOLL, Loops.NETTY_NIO, Loops.NETTY_EPOLL})
    public String loop;

    @Param({"100000"})
    public int chainLength;

    @Param({"1000000"})
    public int upFront;

    @Param({"200000"})
    public int timers;

    @Param({"100"})
    public int maxDelayMillis;

    private LoopDriver driver;
    private long[] delays;
    private final Done done = new Done();
    private final Chain chain = new Chain();
    private final Countdown countdown = new Countdown();
    private final FutureChain futures = new FutureChain();

    @Setup(Level.Trial)
    public void start() {
        driver = Loops.start(loop);
        Random random = new Random(42);
        delays = new long[timers];
        for (int i = 0; i < timers; i++) {
            delays[i] = TimeUnit.MILLISECONDS.toNanos(random.nextInt(maxDelayMillis + 1));
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        driver.close();
    }

    @Benchmark
    public void callSoonChain() throws InterruptedException {
        done.reset();
        chain.left = chainLength;
        driver.submit(chain);
        done.await();
    }

    @Benchmark
    public void callSoonUpFront() throws InterruptedException {
        done.reset();
        int n = upFront;
        driver.submit(() -> {
            countdown.left = n;
            for (int i = 0; i < n; i++) {
                driver.soon(countdown);
            }
        });
        done.await();
    }

    @Benchmark
    public void futureChain() throws InterruptedException {
        done.reset();
        int n = chainLength;
        driver.submit(() -> {
            futures.left = n;
            driver.completeFuture(n, futures);
        });
        done.await();
    }

    @Benchmark
    public void timers() throws InterruptedException {
        done.reset();
        long[] all = delays;
        driver.submit(() -> {
            countdown.left = all.length;
            for (long delay : all) {
                driver.later(delay, countdown);
            }
        });
        done.await();
    }

    /** Each run schedules the next, until the batch is done. Loop thread only. */
    private final class Chain implements Runnable {
        int left;

        @Override
        public void run() {
            if (--left == 0) {
                done.signal();
            } else {
                driver.soon(this);
            }
        }
    }

    /** Counts runs down to the end of the batch. Loop thread only. */
    private final class Countdown implements Runnable {
        int left;

        @Override
        public void run() {
            if (--left == 0) {
                done.signal();
            }
        }
    }

    /** Each done callback completes the next future. Loop thread only. */
    private final class FutureChain implements IntConsumer {
        int left;

        @Override
        public void accept(int value) {
            if (--left == 0) {
                done.signal();
            } else {
                driver.completeFuture(left, this);
            }
        }
    }
}
