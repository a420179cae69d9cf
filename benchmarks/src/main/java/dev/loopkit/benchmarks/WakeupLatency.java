package dev.loopkit.benchmarks;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.proactor.ProactorEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.posix.Posix;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * How fast a sleeping loop wakes up, and what it costs while it sleeps: for each loop, the time
 * from another thread's {@code callSoonThreadsafe} (or its write to an eventfd the loop watches)
 * to the callback on the loop thread, and the CPU time of the loop's threads over an idle second.
 * Prints a Markdown table.
 */
public final class WakeupLatency {

    private static final int ROUNDS = 2000;
    private static final int WARMUP = 500;

    private WakeupLatency() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : ROUNDS;
        System.out.println("| loop | wake-up by | median µs | p99 µs | idle CPU, loop + helper threads, ms per s |");
        System.out.println("|---|---|---|---|---|");
        measure("SelectorEventLoop", SelectorEventLoop::new, rounds);
        measure("ProactorEventLoop", ProactorEventLoop::new, rounds);
    }

    private static void measure(String name, Supplier<BaseEventLoop> loops, int rounds) throws Exception {
        BaseEventLoop loop = loops.get();
        Posix posix = Posix.get();
        int eventfd = posix.eventfd();
        long[] sentAt = new long[1];
        long[] callSoonLatency = new long[rounds];
        long[] fdLatency = new long[rounds];
        CountDownLatch started = new CountDownLatch(1);
        Thread loopThread = new Thread(loop::runForever, "bench-loop");
        loop.callSoon(started::countDown);
        loopThread.start();
        started.await();

        run(rounds, callSoonLatency, i -> {
            CountDownLatch done = new CountDownLatch(1);
            sentAt[0] = System.nanoTime();
            loop.callSoonThreadsafe(() -> {
                callSoonLatency[i] = System.nanoTime() - sentAt[0];
                done.countDown();
            });
            await(done);
        });

        CountDownLatch[] fdDone = new CountDownLatch[1];
        int[] round = new int[1];
        loop.callSoonThreadsafe(() -> loop.addReader(eventfd, () -> {
            try {
                posix.eventfdRead(eventfd);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            fdLatency[round[0]] = System.nanoTime() - sentAt[0];
            fdDone[0].countDown();
        }));
        run(rounds, fdLatency, i -> {
            fdDone[0] = new CountDownLatch(1);
            round[0] = i;
            sentAt[0] = System.nanoTime();
            try {
                posix.eventfdWrite(eventfd, 1);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            await(fdDone[0]);
        });

        double idle = idleCpuMillisPerSecond(loop);
        loop.stop();
        loopThread.join();
        loop.close();
        posix.close(eventfd);
        print(name, "callSoonThreadsafe", callSoonLatency, idle);
        print(name, "eventfd readiness", fdLatency, idle);
    }

    private interface Round {
        void run(int index) throws Exception;
    }

    private static void run(int rounds, long[] latencies, Round round) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            round.run(i % rounds);
        }
        for (int i = 0; i < rounds; i++) {
            LockSupport.parkNanos(200_000); // let the loop fall asleep again
            round.run(i);
        }
    }

    private static double idleCpuMillisPerSecond(BaseEventLoop loop) throws InterruptedException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long before = cpuOfLoopThreads(mx);
        TimeUnit.SECONDS.sleep(1);
        return (cpuOfLoopThreads(mx) - before) / 1e6;
    }

    private static long cpuOfLoopThreads(ThreadMXBean mx) {
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("bench-loop") || thread.getName().startsWith("loopkit-fdpoller-")) {
                total += mx.getThreadCpuTime(thread.getId());
            }
        }
        return total;
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the loop did not wake up");
        }
    }

    private static void print(String loop, String by, long[] latencies, double idleMillis) {
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.2f |%n", loop, by, sorted[sorted.length / 2] / 1e3,
                sorted[(int) (sorted.length * 0.99)] / 1e3, idleMillis);
    }
}
