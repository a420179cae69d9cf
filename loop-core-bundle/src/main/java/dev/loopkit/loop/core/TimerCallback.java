package dev.loopkit.loop.core;

import dev.loopkit.api.TimerHandle;

/** asyncio's {@code TimerHandle}: a callback in a loop's {@link TimerHeap}. */
final class TimerCallback extends CallbackHandle implements TimerHandle {

    final long whenNanos;
    /** Orders timers due at the same nanosecond: first into the heap, first run. Set by the loop thread. */
    long sequence;
    private final BaseEventLoop loop;
    /** Whether the timer is in the heap; touched on the loop thread only. */
    boolean scheduled;

    TimerCallback(BaseEventLoop loop, long whenNanos, Runnable callback, StackTraceElement[] sourceTraceback) {
        super(callback, sourceTraceback);
        this.loop = loop;
        this.whenNanos = whenNanos;
    }

    @Override
    public void cancel() {
        // Read off the loop thread, `scheduled` may be stale: the count is only a heuristic for
        // when to compact the heap, and compaction recounts.
        if (markCancelled() && scheduled) {
            loop.timerCancelled();
        }
    }

    @Override
    public double when() {
        return LoopClock.toSeconds(whenNanos);
    }

    boolean dueBefore(TimerCallback other) {
        return whenNanos != other.whenNanos ? whenNanos < other.whenNanos : sequence < other.sequence;
    }

    @Override
    public String toString() {
        return "<TimerHandle " + (isCancelled() ? "cancelled " : "") + "when=" + when() + " " + callback + ">";
    }
}
