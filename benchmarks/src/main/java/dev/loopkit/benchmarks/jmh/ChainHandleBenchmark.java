package dev.loopkit.benchmarks.jmh;

import dev.loopkit.loop.core.scheduling.InboundHandle;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * What the {@code callSoon} chain pays for its handles: the chain of {@link LoopCoreBenchmark} with a
 * new handle per link ({@link #freshHandle}, an {@link InboundHandle} of the benchmark's own: 32 bytes,
 * {@code -prof gc}: 24 and the reference to the benchmark an inner class keeps; {@code callSoon} on the
 * loop thread makes a 16-byte one) against one handle
 * scheduled again and again ({@link #reusedHandle}, which allocates nothing: legal here only because
 * the chain schedules a handle once it has run). Both go through {@code callSoonHandle}, so the
 * difference is the allocation alone.
 */
public class ChainHandleBenchmark extends LoopkitChainBenchmark {

    private final Reused reused = new Reused();

    @Benchmark
    public void freshHandle() throws InterruptedException {
        runChain(() -> eventLoop.callSoonHandle(new Fresh()));
    }

    @Benchmark
    public void reusedHandle() throws InterruptedException {
        runChain(() -> eventLoop.callSoonHandle(reused));
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
