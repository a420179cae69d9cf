package dev.loopkit.loop.core;

import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ParkingEventLoop} made, set up and dropped without {@code close()}, as a thread that ends
 * drops its loop; {@link #awaitCollected()} then forces GCs until the loop is garbage and its tracking
 * reference ({@code UnclosedLoops}) is queued, after which the next loop made or closed closes what the
 * dropped one held.
 */
final class DroppedLoop {

    /** What is done with the loop before it is dropped. */
    interface Setup {
        void apply(ParkingEventLoop loop) throws Exception;
    }

    private final ReferenceQueue<BaseEventLoop> collected = new ReferenceQueue<>();
    private final WeakReference<BaseEventLoop> loop;
    private final Reference<?> tracked;

    private DroppedLoop(Setup setup) throws Exception {
        ParkingEventLoop made = new ParkingEventLoop();
        setup.apply(made);
        Field unclosed = BaseEventLoop.class.getDeclaredField("unclosed");
        unclosed.setAccessible(true);
        tracked = (Reference<?>) unclosed.get(made);
        loop = new WeakReference<>(made, collected);
    }

    /** A loop set up by {@code setup} and dropped: nothing but the references here reach it once this returns. */
    static DroppedLoop drop(Setup setup) throws Exception {
        return new DroppedLoop(setup);
    }

    /**
     * Forces GCs, waiting on the loop's collection itself, for at most 20 s; fails unless the loop is
     * garbage and queued as dropped.
     */
    @SuppressWarnings("deprecation") // isEnqueued: UnclosedLoops' queue is its own, so only the flag says it
    void awaitCollected() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean cleared = false;
        while (!(cleared && tracked.isEnqueued()) && System.nanoTime() < deadline) {
            System.gc();
            cleared |= collected.remove(20) != null;
        }
        assertNull("the dropped loop is garbage", loop.get());
        assertTrue("it is queued as dropped", tracked.isEnqueued());
    }
}
