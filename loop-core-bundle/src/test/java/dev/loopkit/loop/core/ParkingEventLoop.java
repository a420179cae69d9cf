package dev.loopkit.loop.core;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.scheduling.Parking;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The smallest real loop: it waits by parking its thread, as the proactor loop does, and watches
 * nothing but raw file descriptors; for testing the loop core without a loop bundle.
 */
class ParkingEventLoop extends BaseEventLoop {

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

    @Override
    protected CompletionStage<SubprocessTransport> makeSubprocessTransport(
            Supplier<? extends SubprocessProtocol> protocolFactory, List<String> args, SubprocessOptions options) {
        throw new UnsupportedOperationException("the parking test loop runs no children");
    }
}
