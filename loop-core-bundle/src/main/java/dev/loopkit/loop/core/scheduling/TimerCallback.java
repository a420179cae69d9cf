package dev.loopkit.loop.core.scheduling;

import dev.loopkit.api.TimerHandle;

/** asyncio's {@code TimerHandle}: a callback in a loop's {@link TimerHeap}. */
final class TimerCallback extends InboundHandle implements TimerHandle {

    /** The time asyncio would report, as given (NaN and the infinities included). */
    private final double when;
    /** When it is due on the loop clock: never before {@code when}; NaN is due at once. */
    final long whenNanos;
    /** Orders timers due at the same nanosecond: first into the heap, first run. Set by the loop thread. */
    long sequence;
    private final Scheduler scheduler;
    /** Whether the timer is in the heap; touched on the loop thread only. */
    boolean scheduled;

    TimerCallback(Scheduler scheduler, double when, Runnable callback) {
        super(callback);
        this.scheduler = scheduler;
        this.when = when;
        // asyncio's due check, `when >= end_time` false, holds for NaN at once: the earliest time.
        this.whenNanos = Double.isNaN(when) ? Long.MIN_VALUE : LoopClock.toNanosCeil(when);
    }

    @Override
    public void cancel() {
        // Read off the loop thread, `scheduled` may be stale: the count is only a heuristic for
        // when to compact the heap, and compaction recounts.
        if (markCancelled() && scheduled) {
            scheduler.timerCancelled();
        }
    }

    @Override
    public double when() {
        return when;
    }

    /**
     * The heap's order: by the nanosecond it is due, which the due check reads; within one nanosecond
     * by the time itself, as asyncio's heap orders by {@code when} ({@code TimerHandle.__lt__}): every
     * time before the clock's range (-inf, -1e300…) and times less than a nanosecond apart share a
     * {@code whenNanos}, and ran in scheduling order (an outside review). NaN, due at once, comes first;
     * then scheduling order.
     */
    boolean dueBefore(TimerCallback other) {
        if (whenNanos != other.whenNanos) {
            return whenNanos < other.whenNanos;
        }
        boolean nan = Double.isNaN(when);
        if (nan != Double.isNaN(other.when)) {
            return nan;
        }
        return when != other.when && !nan ? when < other.when : sequence < other.sequence;
    }

    /** asyncio's {@code TimerHandle._repr_info}: the time first, then what a handle says, "created at" included. */
    @Override
    public String toString() {
        return asOfOneMoment(() -> callbackDropped() ? "<TimerHandle cancelled when=" + when() + ">"
                : "<TimerHandle " + (isCancelled() ? "cancelled " : "") + "when=" + when() + " " + describeCallback()
                        + createdAt() + ">");
    }
}
