package dev.loopkit.loop.core;

import dev.loopkit.api.LoopFuture;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.Test;

/**
 * A future fails on one thread while another asks for its outcome (derives a stage): whichever comes
 * first, the failure ends up asked for, and the loop watches nothing for it; failed and not asked for,
 * it is watched once. A watch left behind is a
 * "Future exception was never retrieved" reported for a failure someone took; a watch never made for
 * a failure nobody asked for is a failure lost without a trace (UnretrievedFailureTest).
 */
public class UnretrievedFailureLincheckTest {

    /** One loop for every scenario: it never runs, and each scenario leaves it watching what it found. */
    private static final ParkingEventLoop LOOP = new ParkingEventLoop();

    private final int watchingBefore = LOOP.unretrievedFailures().watching();
    private final LoopFuture<String> future = LOOP.createFuture();
    private volatile boolean failed;
    private volatile boolean derived;

    @Operation
    public void fail() {
        future.setException(new IllegalStateException("failed"));
        failed = true;
    }

    @Operation
    public void deriveAStage() {
        future.whenComplete((value, failure) -> { });
        derived = true;
    }

    @Validate
    public void aFailureIsWatchedExactlyWhileNobodyAskedForIt() {
        int expected = watchingBefore + (failed && !derived ? 1 : 0);
        int watching = LOOP.unretrievedFailures().watching();
        if (watching != expected) {
            throw new IllegalStateException(watching + " failures watched, " + expected + " expected (failed: " + failed
                    + ", a stage derived: " + derived + ")");
        }
    }

    @Test
    public void aFailureAndAnAskInEitherOrderLeaveNothingWatched() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(10)
                .invocationsPerIteration(200)
                .threads(2)
                .actorsPerThread(1)
                .actorsBefore(0)
                .actorsAfter(0);
        new LinChecker(UnretrievedFailureLincheckTest.class, options).check();
    }
}
