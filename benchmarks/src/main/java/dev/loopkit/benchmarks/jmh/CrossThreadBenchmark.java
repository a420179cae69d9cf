package dev.loopkit.benchmarks.jmh;

import dev.loopkit.benchmarks.LoopDriver;
import dev.loopkit.benchmarks.Loops;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * {@code callSoonThreadsafe} (Netty: {@code execute} from outside the loop) from {@code producers}
 * threads at once: {@code total} callbacks per operation, split between the producers, and the
 * operation ends when the loop has run the last one. Measures the queue and the wake-ups together.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
// Six warm-up seconds: see LoopCoreBenchmark (the handles' first touch of the young generation).
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
public class CrossThreadBenchmark {

    @Param({Loops.SELECTOR, Loops.PROACTOR, Loops.EPOLL, Loops.NETTY_NIO, Loops.NETTY_EPOLL})
    public String loop;

    @Param({"1", "4"})
    public int producers;

    @Param({"1000000"})
    public int total;

    private LoopDriver driver;
    private ExecutorService producerThreads;
    private final Done done = new Done();
    private final Countdown countdown = new Countdown();

    @Setup(Level.Trial)
    public void start() {
        driver = Loops.start(loop);
        AtomicInteger n = new AtomicInteger();
        producerThreads = Executors.newFixedThreadPool(producers, task -> {
            Thread thread = new Thread(task, "bench-producer-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        producerThreads.shutdown();
        producerThreads.awaitTermination(10, TimeUnit.SECONDS);
        driver.close();
    }

    @Benchmark
    public void callSoonThreadsafe() throws InterruptedException, ExecutionException {
        done.reset();
        int each = total / producers;
        countdown.left = each * producers; // published to the loop by the producers' hand-offs
        List<Future<?>> running = new ArrayList<>(producers);
        for (int p = 0; p < producers; p++) {
            running.add(producerThreads.submit(() -> {
                for (int i = 0; i < each; i++) {
                    driver.submit(countdown);
                }
            }));
        }
        for (Future<?> producer : running) {
            producer.get();
        }
        done.await();
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
}
