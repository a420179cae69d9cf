package dev.loopkit.loop.core.scheduling;

import java.util.ArrayDeque;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.Test;

/**
 * Lincheck's model checker explores the interleavings of producers offering into the
 * {@link InboundQueue} while the loop polls: the queue must behave as a FIFO queue, also when a
 * producer has swapped the tail but not linked its node yet (the poll must not report "empty" while
 * an offer that finished is queued behind that gap).
 *
 * <p>Short by default (seconds). {@code -Dlincheck.scale=20} explores twenty times as many
 * scenarios; see docs/TESTING.md.
 */
@Param(name = "value", gen = IntGen.class, conf = "1:9")
public class InboundQueueLincheckTest {

    /** Multiplies the scenarios explored (all Lincheck tests here); {@code -Dlincheck.scale=20} for a long run. */
    static final int SCALE = Integer.getInteger("lincheck.scale", 1);

    /**
     * The model check every Lincheck test here runs: small scenarios (two threads of three
     * operations, the loop's in one of them), few enough to take seconds on a quiet machine.
     * Validation functions run between the parts of a scenario and at its end.
     */
    static void modelCheck(Class<?> test, Class<?> sequentialSpecification) {
        modelCheck(test, sequentialSpecification, 6);
    }

    /** {@link #modelCheck(Class, Class)} with more (or fewer) scenarios, for a test whose operations are cheap. */
    static void modelCheck(Class<?> test, Class<?> sequentialSpecification, int iterations) {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(iterations * SCALE)
                .invocationsPerIteration(150)
                .threads(2)
                .actorsPerThread(3)
                .actorsAfter(0);
        if (sequentialSpecification != null) {
            options.sequentialSpecification(sequentialSpecification);
        }
        new LinChecker(test, options).check();
    }

    private final InboundQueue queue = new InboundQueue();

    @Operation
    public void offer(@Param(name = "value") int value) {
        queue.offer(new InboundHandle(new Value(value)));
    }

    @Operation(nonParallelGroup = "loop")
    public Integer poll() {
        CallbackHandle handle = queue.poll();
        return handle == null ? null : ((Value) handle.callback()).value;
    }

    @Test
    public void behavesAsAFifoQueue() {
        InboundQueueLincheckTest.modelCheck(InboundQueueLincheckTest.class, Fifo.class);
    }

    /** The callback a test handle carries: the value offered. */
    record Value(int value) implements Runnable {
        @Override
        public void run() {
        }
    }

    /** The sequential specification: a plain FIFO queue. */
    public static final class Fifo {
        private final ArrayDeque<Integer> values = new ArrayDeque<>();

        public void offer(int value) {
            values.addLast(value);
        }

        public Integer poll() {
            return values.pollFirst();
        }
    }
}
