package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import java.util.concurrent.locks.LockSupport;

/**
 * asyncio's {@code ProactorEventLoop}: completion-based. Nothing is polled for readiness; the
 * loop thread parks until a completion or another thread hands it work through
 * {@link #callSoonThreadsafe(Runnable)}, which unparks it.
 */
public class ProactorEventLoop extends BaseEventLoop {

    @Override
    protected void poll(long timeoutNanos) {
        if (timeoutNanos < 0) {
            LockSupport.park(this);
        } else if (timeoutNanos > 0) {
            LockSupport.parkNanos(this, timeoutNanos);
        }
    }

    @Override
    protected void wakeup() {
        Thread owner = owner();
        if (owner != null) {
            LockSupport.unpark(owner);
        }
    }

    @Override
    protected void closeResources() {
        // no resources of its own yet: completions arrive with the I/O support
    }
}
