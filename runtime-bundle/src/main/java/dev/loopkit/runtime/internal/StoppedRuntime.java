package dev.loopkit.runtime.internal;

import dev.loopkit.api.EventLoopPolicy;

/**
 * What the api's hook holds while the runtime bundle is stopped: its registries are empty then, and
 * the facade said "No event loop policy is installed: ... start one" of policy bundles that ran (an
 * outside review). The policy is the one thing it answers for itself; the rest goes on as before, for
 * the watchers that keep their children while the runtime is down and retire through it when their
 * bundles stop (RuntimeStopLeavesChildrenTest).
 */
final class StoppedRuntime extends ClassPathRuntime {

    @Override
    public EventLoopPolicy currentPolicy() {
        EventLoopPolicy explicit = super.currentPolicy(); // only one set by code outlives the registries' reset
        if (explicit == null) {
            throw new IllegalStateException("No Loopkit runtime is present: the dev.loopkit.runtime bundle is stopped:"
                    + " start it");
        }
        return explicit;
    }
}
