package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.TimerHandle;
import dev.loopkit.loop.core.BaseEventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Properties of timers for any delay or time, as asyncio has them: a timer whose time is not after
 * the loop's (NaN included: asyncio's due check {@code when >= end_time} is false for it) runs in
 * the next iteration; no timer runs before its {@code when()} on the loop's clock; and no timer,
 * however far in the past or the future, keeps the loop from waking for a normal one. Each loop
 * implementation runs them by extending this class.
 */
public abstract class TimerProperties {

    /** The normal timer scheduled behind the one under test: it must still fire. */
    private static final double NORMAL_DELAY = 0.002;

    private BaseEventLoop loop;

    /** A new loop of the implementation under test. */
    protected abstract BaseEventLoop newLoop();

    @BeforeProperty
    void createLoop() {
        loop = newLoop();
    }

    @AfterProperty
    void closeLoop() {
        loop.close();
    }

    // No shrinking: on a broken loop each shrinking step would wait out the hang guard again.
    @Property(tries = 150, shrinking = ShrinkingMode.OFF)
    void aTimerRunsAtOnceOrNotBeforeItsTimeAndNeverStopsTheLoop(
            @ForAll("delays") double delay, @ForAll boolean absolute) {
        List<String> order = new ArrayList<>(); // loop thread only
        double[] firedAt = {Double.NaN};
        TimerHandle[] timer = new TimerHandle[1];
        CompletableFuture<Void> normalFired = new CompletableFuture<>();
        loop.callSoon(() -> {
            Runnable fire = () -> {
                firedAt[0] = loop.time();
                order.add("timer");
            };
            // callAt from the loop's own time, as asyncio's call_later does (`self.time() + delay`)
            timer[0] = absolute ? loop.callAt(loop.time() + delay, fire) : loop.callLater(delay, fire);
            loop.callLater(NORMAL_DELAY, () -> {
                order.add("normal");
                normalFired.complete(null);
            });
        });
        String what = (absolute ? "callAt(time() + " : "callLater(") + delay + ")";
        LoopTestSupport.runGuarded(loop, normalFired, "a normal timer behind " + what);
        timer[0].cancel(); // one that has not run must not run in a later try
        double when = timer[0].when();
        if (!(delay > 0)) {
            assertEquals(what + " runs at once, before the normal timer", List.of("timer", "normal"), order);
        }
        if (order.contains("timer") && !Double.isNaN(when)) {
            assertTrue(what + " ran early: at " + firedAt[0] + " < when " + when, firedAt[0] >= when);
        }
        if (delay >= 1) {
            assertFalse(what + " ran: " + order, order.contains("timer"));
        }
    }

    @Property(tries = 50)
    void whenIsTheTimeAsyncioWouldReport(@ForAll("delays") double when) {
        // asyncio's TimerHandle.when() is the `when` it was given (call_at), whatever it is.
        TimerHandle handle = loop.callAt(when, () -> { });
        handle.cancel();
        if (Double.isNaN(when) || Double.isInfinite(when)) {
            assertEquals(when, handle.when(), 0);
        } else {
            assertFalse(handle.when() + " is before " + when, handle.when() < when);
            assertEquals(when, handle.when(), Math.max(1e-9, Math.ulp(when)));
        }
    }

    @Provide
    Arbitrary<Double> delays() {
        return Arbitraries.frequencyOf(
                // NaN, the infinities, ±0, the smallest and largest doubles, and everything between
                Tuple.of(2, Arbitraries.doubles().withStandardSpecialValues()),
                // around now: tiny, negative, and past the normal timer
                Tuple.of(3, Arbitraries.doubles().between(-0.01, 0.01)),
                // far past and far future, where nanoseconds do not fit in a long
                Tuple.of(2, Arbitraries.of(-1e300, 1e300, -1e10, 1e10, -9.3e9, 9.3e9,
                        Long.MAX_VALUE / 1e9, -Long.MAX_VALUE / 1e9, Double.MIN_VALUE, -Double.MIN_VALUE,
                        1e-9, -1e-9, 1e-10, 5e-324)));
    }
}
