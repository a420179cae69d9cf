package dev.loopkit.watcher.base;

import dev.loopkit.api.LoopkitRuntime;
import dev.loopkit.api.RuntimeHook;

/**
 * How a watcher says a warning or calls a handler registered with it directly: both are user code
 * (a log handler, a handler), and a watcher runs under the spawn gate while a loop registers a child
 * with it or a switch hands children over and attaches it. User code there may wait for a spawn or
 * a switch on another thread, which waits for the gate: so it runs once this thread let go of it.
 */
public final class OutsideSpawnGate {

    private OutsideSpawnGate() {
    }

    /** {@link LoopkitRuntime#outsideSpawnGate}; at once where no runtime is installed (and so no gate is held). */
    public static void run(Runnable action) {
        LoopkitRuntime runtime = RuntimeHook.installed();
        if (runtime == null) {
            action.run();
        } else {
            runtime.outsideSpawnGate(action);
        }
    }
}
