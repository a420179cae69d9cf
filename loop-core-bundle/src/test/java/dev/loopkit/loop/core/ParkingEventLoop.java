package dev.loopkit.loop.core;

import java.util.concurrent.locks.LockSupport;

/**
 * The smallest real loop: it waits by parking its thread, as the proactor loop does, and watches
 * nothing but raw file descriptors; for testing the loop core without a loop bundle.
 */
final class ParkingEventLoop extends BaseEventLoop {

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
    }
}
