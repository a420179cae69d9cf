package dev.loopkit.loop.core.scheduling;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The timer heap's order ({@code TimerCallback.dueBefore}) over special times (NaN, +-inf, +-0.0,
 * -1e300, neighbours less than a nanosecond apart) is a strict weak ordering, the heap hands timers out
 * in that order, and interleaved adds and due checks ({@code whenNanos <= now}) never leave a due timer
 * in the heap (an outside review of the order by time within a nanosecond).
 */
class TimerHeapOrderPropertyTest {

    private final Scheduler scheduler = FakeWaiter.scheduler();

    @Provide
    Arbitrary<Double> times() {
        Arbitrary<Double> special = Arbitraries.of(Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY,
                -0.0, 0.0, -1e300, -1e200, 1e300, Double.MIN_VALUE, -Double.MIN_VALUE, 1.0, Math.nextUp(1.0),
                Math.nextDown(1.0), 1.0 + 1e-10, 1.0 + 2e-9, 1e-9, 2e-9, 9.3e18 / 1e9, -9.3e18 / 1e9);
        Arbitrary<Double> near = Arbitraries.integers().between(-3, 3).map(k -> 2.0 + k * 3e-10);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, special), net.jqwik.api.Tuple.of(3, near),
                net.jqwik.api.Tuple.of(1, Arbitraries.doubles()));
    }

    @Provide
    Arbitrary<List<Double>> timeLists() {
        return times().list().ofMaxSize(200);
    }

    private TimerCallback timer(double when, long sequence) {
        TimerCallback timer = new TimerCallback(scheduler, when, () -> { });
        timer.sequence = sequence;
        return timer;
    }

    /** The intended order, written independently of dueBefore. */
    private static final Comparator<TimerCallback> MODEL = Comparator.<TimerCallback>comparingLong(t -> t.whenNanos)
            .thenComparingInt(t -> Double.isNaN(t.when()) ? 0 : 1)
            .thenComparingDouble(t -> Double.isNaN(t.when()) ? 0 : t.when() + 0.0) // +0.0 folds -0.0 into 0.0
            .thenComparingLong(t -> t.sequence);

    @Property(tries = 500)
    void dueBeforeIsAStrictWeakOrderingAgreeingWithTheDueCheck(@ForAll("times") double a, @ForAll("times") double b,
            @ForAll("times") double c) {
        TimerCallback x = timer(a, 0);
        TimerCallback y = timer(b, 1);
        TimerCallback z = timer(c, 2);
        for (TimerCallback p : List.of(x, y, z)) {
            assertFalse("irreflexive", p.dueBefore(p));
            for (TimerCallback q : List.of(x, y, z)) {
                assertFalse("asymmetric", p.dueBefore(q) && q.dueBefore(p));
                if (p.dueBefore(q)) {
                    assertTrue("consistent with the due check", p.whenNanos <= q.whenNanos);
                }
                assertEquals("agrees with the model", Integer.signum(MODEL.compare(p, q)) < 0, p.dueBefore(q));
                for (TimerCallback r : List.of(x, y, z)) {
                    if (p.dueBefore(q) && q.dueBefore(r)) {
                        assertTrue("transitive", p.dueBefore(r));
                    }
                }
            }
        }
    }

    @Property(tries = 300)
    void interleavedAddsAndDueChecksRunEveryDueTimerInOrder(@ForAll("timeLists") List<Double> whens,
            @ForAll("timeLists") List<Double> nows) {
        TimerHeap heap = new TimerHeap();
        List<TimerCallback> model = new ArrayList<>();
        long sequence = 0;
        for (int i = 0; i < whens.size(); i++) {
            TimerCallback t = timer(whens.get(i), sequence++);
            heap.add(t);
            model.add(t);
            if (i < nows.size() && i % 3 == 2) {
                double nowSeconds = nows.get(i);
                long now = Double.isNaN(nowSeconds) ? 0 : LoopClock.toNanosCeil(nowSeconds);
                List<TimerCallback> ran = new ArrayList<>();
                for (TimerCallback head = heap.peek(); head != null && head.whenNanos <= now; head = heap.peek()) {
                    ran.add(heap.poll());
                }
                model.sort(MODEL);
                List<TimerCallback> due = new ArrayList<>();
                while (!model.isEmpty() && model.get(0).whenNanos <= now) {
                    due.add(model.remove(0));
                }
                assertEquals("every due timer ran, in order", due, ran);
                assertEquals(model.size(), heap.size());
            }
        }
        model.sort(MODEL);
        List<TimerCallback> rest = new ArrayList<>();
        for (TimerCallback t = heap.poll(); t != null; t = heap.poll()) {
            rest.add(t);
        }
        assertEquals(model, rest);
    }
}
