package dev.loopkit.benchmarks.jmh;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The loop says a batch is finished; the benchmark thread waits for it (bounded, so a lost batch fails loudly). */
final class Done {

    private static final long TIMEOUT_SECONDS = 120;

    private volatile CountDownLatch latch = new CountDownLatch(1);

    void reset() {
        latch = new CountDownLatch(1);
    }

    void signal() {
        latch.countDown();
    }

    void await() throws InterruptedException {
        if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the batch did not finish within " + TIMEOUT_SECONDS + " s");
        }
    }
}
