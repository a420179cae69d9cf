package dev.loopkit.benchmarks.e2e;

import dev.loopkit.benchmarks.LoopDriver;
import dev.loopkit.benchmarks.Loops;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code count} timers with random whole-millisecond delays in [0, {@code maxDelayMillis}],
 * scheduled by one callback on the loop: how late each fires (from the time it was scheduled plus
 * its delay to the time its callback runs), the wall time of the batch and the CPU time of the loop
 * thread. The same seed and the same measure as the asyncio, uvloop and Node versions.
 */
public final class TimerLateness {

    private TimerLateness() {
    }

    public static void run(String loopName, int count, int maxDelayMillis, int warmup, int rounds) throws Exception {
        long[] delays = new long[count];
        Random random = new Random(42);
        for (int i = 0; i < count; i++) {
            delays[i] = TimeUnit.MILLISECONDS.toNanos(random.nextInt(maxDelayMillis + 1));
        }
        long[] lateness = new long[count * rounds];
        long[] wall = new long[rounds];
        long[] cpu = new long[rounds];
        try (LoopDriver driver = Loops.start(loopName)) {
            for (int round = 0; round < warmup + rounds; round++) {
                Batch batch = new Batch(driver, delays);
                driver.submit(batch::start);
                batch.finished.get(120, TimeUnit.SECONDS);
                if (round >= warmup) {
                    int r = round - warmup;
                    System.arraycopy(batch.late, 0, lateness, r * count, count);
                    wall[r] = batch.wallNanos;
                    cpu[r] = batch.cpuNanos;
                }
            }
        }
        Arrays.sort(lateness);
        String workload = "timers";
        Results.emit(workload, loopName, "wall_ms", Results.percentile(wall, 50) / 1e6);
        Results.emit(workload, loopName, "cpu_ms", Results.percentile(cpu, 50) / 1e6);
        Results.emit(workload, loopName, "late_p50_us", Results.sortedPercentile(lateness, 50) / 1e3);
        Results.emit(workload, loopName, "late_p99_us", Results.sortedPercentile(lateness, 99) / 1e3);
        Results.emit(workload, loopName, "late_max_us", lateness[lateness.length - 1] / 1e3);
    }

    /** One batch; every field but {@link #finished} is touched by the loop thread only. */
    private static final class Batch {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        final LoopDriver driver;
        final long[] delays;
        final long[] late;
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        int left;
        long startNanos;
        long startCpu;
        long wallNanos;
        long cpuNanos;

        Batch(LoopDriver driver, long[] delays) {
            this.driver = driver;
            this.delays = delays;
            this.late = new long[delays.length];
        }

        void start() {
            left = delays.length;
            startCpu = THREADS.getCurrentThreadCpuTime();
            startNanos = System.nanoTime();
            for (int i = 0; i < delays.length; i++) {
                int index = i;
                long due = System.nanoTime() + delays[i];
                driver.later(delays[i], () -> fired(index, due));
            }
        }

        void fired(int index, long due) {
            long now = System.nanoTime();
            late[index] = now - due;
            if (--left == 0) {
                wallNanos = now - startNanos;
                cpuNanos = THREADS.getCurrentThreadCpuTime() - startCpu;
                finished.complete(null);
            }
        }
    }
}
