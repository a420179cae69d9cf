package dev.loopkit.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/** {@link SerialWork} on one thread; DefaultPolicyPublisherLincheckTest checks it across two. */
public class SerialWorkTest {

    @Test
    public void aRequestFromInsideTheWorkReturnsAtOnceAndTheWorkRunsAgainAfter() {
        AtomicInteger runs = new AtomicInteger();
        SerialWork[] work = new SerialWork[1];
        work[0] = new SerialWork(() -> {
            if (runs.incrementAndGet() == 1) {
                work[0].request(); // as a listener called by the work would
                assertEquals("not run inside itself", 1, runs.get());
            }
        });
        work[0].request();
        assertEquals(2, runs.get());
        work[0].request();
        assertEquals(3, runs.get());
    }

    @Test
    public void aFailureIsThrownOnceEveryRequestIsServedAndTheNextRequestRunsAgain() {
        AtomicInteger runs = new AtomicInteger();
        IllegalStateException first = new IllegalStateException("first");
        SerialWork[] work = new SerialWork[1];
        work[0] = new SerialWork(() -> {
            int run = runs.incrementAndGet();
            if (run == 1) {
                work[0].request();
                throw first;
            }
        });
        assertSame(first, assertThrows(IllegalStateException.class, work[0]::request));
        assertEquals("the request made before the failure was served", 2, runs.get());
        work[0].request();
        assertEquals(3, runs.get());
    }

    @Test
    public void anErrorIsThrownAtOnceAndTheNextRequestRunsTheWork() {
        AtomicInteger runs = new AtomicInteger();
        SerialWork work = new SerialWork(() -> {
            if (runs.incrementAndGet() == 1) {
                throw new AssertionError("an Error in the work");
            }
        });
        assertThrows(AssertionError.class, work::request);
        work.request();
        assertEquals("not stuck as if another thread were at work", 2, runs.get());
    }
}
