package dev.loopkit.loop.core.scheduling;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;
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
 * The loop's cross-thread queue alone, against the JCTools MPSC queues Netty uses, in one run: {@code
 * producers} threads offer {@code total} new handles (as {@code callSoonThreadsafe} does) and one
 * consumer thread drains them, as the loop thread does between waits. The operation ends when the
 * consumer has taken the last one. It lives in the scheduler's package to reach the package-private
 * queue; nothing of the loop's wake-up is in it (the consumer spins), so the figures are the queue's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class InboundQueueBenchmark {

    /**
     * Loopkit's inbound queue; JCTools' linked-chunk MPSC queue as Netty 4.1 uses it (through
     * {@code sun.misc.Unsafe}); the same queue through VarHandles ({@code jctools-core-jdk11}).
     */
    @Param({"loopkit", "jctools-unsafe", "jctools-varhandle"})
    public String queue;

    @Param({"1", "4"})
    public int producers;

    @Param({"1000000"})
    public int total;

    private Channel channel;
    private ExecutorService producerThreads;
    private Thread consumer;
    private volatile boolean running;
    /** The batch's size and the latch its last handle opens, set before the producers start. */
    private volatile int target;
    private volatile CountDownLatch batchTaken;

    /** What the consumer thread does with a queue: offer from any thread, drain on its own. */
    private interface Channel {
        void offer(InboundHandle handle);

        int drain();
    }

    @Setup(Level.Trial)
    public void start() {
        channel = switch (queue) {
            case "loopkit" -> intrusive();
            case "jctools-unsafe" -> jctools(new MpscUnboundedArrayQueue<>(1024));
            case "jctools-varhandle" -> jctools(new MpscUnboundedVarHandleArrayQueue<>(1024));
            default -> throw new IllegalArgumentException(queue);
        };
        AtomicInteger n = new AtomicInteger();
        producerThreads = Executors.newFixedThreadPool(producers, task -> {
            Thread thread = new Thread(task, "bench-producer-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        running = true;
        // The consumer spins, as a loop thread busy with callbacks does; the benchmark thread and the
        // producers' submitter park, so the only busy threads are the consumer and the producers.
        consumer = new Thread(() -> {
            int consumed = 0;
            while (running) {
                int drained = channel.drain();
                if (drained == 0) {
                    Thread.onSpinWait();
                    continue;
                }
                consumed += drained;
                if (consumed >= target) {
                    consumed -= target;
                    batchTaken.countDown();
                }
            }
        }, "bench-consumer");
        consumer.setDaemon(true);
        consumer.start();
    }

    private static Channel intrusive() {
        InboundQueue inbound = new InboundQueue();
        return new Channel() {
            private final InboundQueue.Sink sink = handle -> { };

            @Override
            public void offer(InboundHandle handle) {
                inbound.offer(handle);
            }

            @Override
            public int drain() {
                return inbound.drain(sink);
            }
        };
    }

    private static Channel jctools(Queue<InboundHandle> mpsc) {
        return new Channel() {
            @Override
            public void offer(InboundHandle handle) {
                mpsc.offer(handle);
            }

            @Override
            public int drain() {
                int drained = 0;
                while (mpsc.poll() != null) {
                    drained++;
                }
                return drained;
            }
        };
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        running = false;
        consumer.join(10_000);
        producerThreads.shutdown();
        producerThreads.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public void offerAndDrain() throws InterruptedException, ExecutionException {
        int each = total / producers;
        batchTaken = new CountDownLatch(1);
        target = each * producers;
        Runnable callback = () -> { };
        List<Future<?>> running = new ArrayList<>(producers);
        for (int p = 0; p < producers; p++) {
            running.add(producerThreads.submit(() -> {
                for (int i = 0; i < each; i++) {
                    channel.offer(new InboundHandle(callback));
                }
            }));
        }
        for (Future<?> producer : running) {
            producer.get();
        }
        if (!batchTaken.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the consumer did not take the batch within 120 s");
        }
    }
}
