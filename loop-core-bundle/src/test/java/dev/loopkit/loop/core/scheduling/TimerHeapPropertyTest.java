package dev.loopkit.loop.core.scheduling;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The timer heap against a sorted list: whatever the due times (duplicates, the far past and
 * future, NaN's earliest), it hands timers out by due time and, at equal times, in the order they
 * were added; dropping the cancelled ones keeps that order and the rest.
 */
class TimerHeapPropertyTest {

    private final Scheduler scheduler = FakeWaiter.scheduler();

    private List<TimerCallback> timers(List<Integer> dueSeconds) {
        List<TimerCallback> timers = new ArrayList<>();
        for (int due : dueSeconds) {
            // a few distinct values, so equal times are common; -1000 stands for NaN (due at once)
            TimerCallback timer = new TimerCallback(scheduler, due == -1000 ? Double.NaN : due, () -> { });
            timer.sequence = timers.size();
            timers.add(timer);
        }
        return timers;
    }

    private static final Comparator<TimerCallback> DUE_ORDER =
            Comparator.<TimerCallback>comparingLong(t -> t.whenNanos).thenComparingLong(t -> t.sequence);

    /**
     * asyncio's purge of cancelled timers builds a new list: a heap that once held 100,000 timers and
     * now holds ten gives back its array. It kept 131,072 slots for the life of the loop (a review).
     */
    @Example
    void removingTheCancelledGivesBackTheRoomTheyTook() {
        TimerHeap heap = new TimerHeap();
        List<TimerCallback> timers = timers(java.util.Collections.nCopies(100_000, 5));
        timers.forEach(heap::add);
        timers.subList(10, timers.size()).forEach(TimerCallback::markCancelled);
        assertEquals(99_990, heap.removeCancelled());
        assertEquals(10, heap.size());
        assertTrue("slots kept: " + heap.capacity(), heap.capacity() <= 64);
        for (TimerCallback timer : timers.subList(0, 10)) {
            assertEquals(timer, heap.poll());
        }
    }

    @Property
    void pollsInDueOrderThenBySequence(@ForAll @Size(max = 300) List<@IntRange(min = -1000, max = 12) Integer> due) {
        List<TimerCallback> timers = timers(due);
        TimerHeap heap = new TimerHeap();
        timers.forEach(heap::add);
        assertEquals(timers.size(), heap.size());
        List<TimerCallback> expected = new ArrayList<>(timers);
        expected.sort(DUE_ORDER);
        List<TimerCallback> polled = new ArrayList<>();
        for (TimerCallback timer = heap.poll(); timer != null; timer = heap.poll()) {
            polled.add(timer);
        }
        assertEquals(expected, polled);
        assertTrue(heap.isEmpty());
        assertNull(heap.peek());
    }

    @Property
    void removingTheCancelledKeepsTheRestInOrder(@ForAll @Size(max = 300) List<@IntRange(min = -1000, max = 12) Integer> due,
            @ForAll long cancelSeed) {
        List<TimerCallback> timers = timers(due);
        TimerHeap heap = new TimerHeap();
        timers.forEach(timer -> {
            timer.scheduled = true;
            heap.add(timer);
        });
        Random random = new Random(cancelSeed);
        List<TimerCallback> kept = new ArrayList<>();
        for (TimerCallback timer : timers) {
            if (random.nextBoolean()) {
                timer.cancel();
            } else {
                kept.add(timer);
            }
        }
        assertEquals(timers.size() - kept.size(), heap.removeCancelled());
        timers.stream().filter(TimerCallback::isCancelled).forEach(t -> assertFalse(t.scheduled));
        kept.sort(DUE_ORDER);
        List<TimerCallback> polled = new ArrayList<>();
        for (TimerCallback timer = heap.poll(); timer != null; timer = heap.poll()) {
            polled.add(timer);
        }
        assertEquals(kept, polled);
    }

    @Property
    void clearCountsThePendingAndEmpties(@ForAll @Size(max = 100) List<@IntRange(min = 0, max = 5) Integer> due) {
        List<TimerCallback> timers = timers(due);
        TimerHeap heap = new TimerHeap();
        timers.forEach(heap::add);
        timers.stream().filter(t -> t.sequence % 3 == 0).forEach(TimerCallback::cancel);
        long pending = timers.stream().filter(t -> !t.isCancelled()).count();
        assertEquals(pending, heap.clear());
        assertEquals(0, heap.size());
        timers.forEach(t -> assertFalse(t.scheduled));
    }
}
