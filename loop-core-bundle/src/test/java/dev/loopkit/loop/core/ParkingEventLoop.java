package dev.loopkit.loop.core;

import dev.loopkit.loop.core.scheduling.Parking;

/**
 * The smallest real loop: it waits by parking its thread, as the proactor loop does, and watches
 * nothing but raw file descriptors; for testing the loop core without a loop bundle.
 */
final class ParkingEventLoop extends BaseEventLoop {

    @Override
    protected void poll(long timeoutNanos) {
        Parking.await(this, timeoutNanos);
    }

    @Override
    protected void wakeup() {
        Parking.wake(owner());
    }

    @Override
    protected void closeResources() {
    }
}
