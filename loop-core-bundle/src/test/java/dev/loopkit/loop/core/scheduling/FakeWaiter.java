package dev.loopkit.loop.core.scheduling;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A wait that never blocks, for testing the scheduler alone: it records each wait's timeout and
 * each wake-up, and runs {@link #duringWait} inside the wait (where another thread's work can land
 * while the loop is armed).
 */
final class FakeWaiter implements EventWaiter {

    final List<Long> timeouts = new ArrayList<>();
    final AtomicInteger wakeups = new AtomicInteger();
    Runnable duringWait = () -> { };

    /** A scheduler over a fake wait whose callbacks' failures are dropped. */
    static Scheduler scheduler() {
        return new Scheduler(new FakeWaiter(), (handle, failure) -> { });
    }

    /**
     * {@link #scheduler()} with the blocked-loop checker off. The checker is a thread that a run may
     * start, which Lincheck's model checker does not model (with it on, a run failed with "Check
     * failed." in ManagedStrategy.runInvocation); its own life is BlockedLoopDetectorTest's matter.
     */
    static Scheduler unwatchedScheduler() {
        Scheduler scheduler = scheduler();
        scheduler.setBlockedLoopWarningNanos(0);
        return scheduler;
    }

    @Override
    public void await(long timeoutNanos) {
        timeouts.add(timeoutNanos);
        duringWait.run();
    }

    @Override
    public void wakeup() {
        wakeups.incrementAndGet();
    }
}
