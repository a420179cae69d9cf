package dev.loopkit.loop.core.scheduling;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * The inbound queue on one thread, step by step: order, what a drain takes, who must wake the
 * loop, and who owns a handle when the loop closes. The interleavings are
 * {@link InboundQueueLincheckTest}'s, {@link WakeupLincheckTest}'s and {@link CloseLincheckTest}'s.
 */
public class InboundQueueTest {

    private final InboundQueue queue = new InboundQueue();

    private static InboundHandle handle() {
        return new InboundHandle(() -> { });
    }

    @Test
    public void pollHandsOutWhatWasOfferedInOrderThenNull() {
        InboundHandle first = handle();
        InboundHandle second = handle();
        assertNull(queue.poll());
        assertFalse(queue.offerBegun());
        queue.offer(first);
        queue.offer(second);
        assertTrue(queue.offerBegun());
        assertEquals(2, queue.count(handle -> true));
        assertEquals(1, queue.count(handle -> handle == second));
        assertSame(first, queue.poll());
        assertSame(second, queue.poll());
        assertNull(queue.poll());
        assertEquals(0, queue.count(handle -> true));
    }

    @Test
    public void aDrainHandsOverWhatWasOfferedBeforeItInOrderAndNothingOfferedMeanwhile() {
        List<InboundHandle> offered = List.of(handle(), handle(), handle());
        offered.forEach(queue::offer);
        InboundHandle late = handle();
        List<CallbackHandle> drained = new ArrayList<>();
        int count = queue.drain(h -> {
            drained.add(h);
            if (drained.size() == 1) {
                queue.offer(late); // a producer during the drain waits for the next one
            }
        });
        assertEquals(3, count);
        assertEquals(offered, drained);
        assertEquals(1, queue.drain(drained::add));
        assertSame(late, drained.get(3));
    }

    @Test
    public void onlyTheFirstOfferAfterArmingIsToldToWakeTheLoop() {
        assertFalse("not armed: nobody sleeps", queue.offer(handle()));
        queue.drain(h -> { });
        assertTrue(queue.armBeforeSleeping());
        assertTrue(queue.offer(handle()));
        assertFalse("the first producer wakes it; the others need not", queue.offer(handle()));
        queue.disarm();
        assertFalse(queue.offer(handle()));
    }

    @Test
    public void armingWithAnOfferPendingRefusesToSleepAndLeavesTheFlagDown() {
        queue.offer(handle());
        assertFalse(queue.armBeforeSleeping());
        assertFalse("the flag was cleared again", queue.offer(handle()));
    }

    @Test
    public void aWithdrawnHandleIsNotHandedOverAtCloseAndAClaimedOneCannotBeWithdrawn() {
        InboundHandle drainedBefore = handle();
        queue.offer(drainedBefore);
        queue.drain(h -> { });
        assertFalse("the loop claimed it: it runs", queue.withdraw(drainedBefore));

        InboundHandle withdrawn = handle();
        InboundHandle reported = handle();
        queue.offer(withdrawn);
        queue.offer(reported);
        assertTrue("the producer saw the close first: the handle is its own again", queue.withdraw(withdrawn));
        List<CallbackHandle> atClose = new ArrayList<>();
        assertEquals(1, queue.drainClosed(atClose::add));
        assertEquals(List.of(reported), atClose);
        assertFalse("the close claimed it: it is reported, not refused", queue.withdraw(reported));
    }
}
