package dev.loopkit.api;

import java.util.Set;
import java.util.function.Supplier;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the {@link Asyncio} facade, loops and watchers need from the process: the
 * choice of the process-wide policy, the main context, and the spawn gate that keeps a child watcher
 * switch from losing a child being registered. One implementation is installed in
 * {@link RuntimeHook}; Loopkit's is the {@code dev.loopkit.runtime} bundle (or module).
 *
 * <p>A provider of a policy, a loop or a watcher depends on this contract, never on the machinery
 * behind it.
 */
@ProviderType
public interface LoopkitRuntime {

    /** The part of a spawn under the gate: spawns and registers the child with the watcher looked up. */
    @FunctionalInterface
    interface Spawn<W, T, E extends Exception> {
        T spawnWith(W watcher) throws E;
    }

    /**
     * The process-wide policy: the one set explicitly, else the configured one, else the
     * highest-ranked one installed; {@code null} when none is installed.
     *
     * @throws IllegalStateException when the runtime is stopped (its bundle), saying to start it
     */
    EventLoopPolicy currentPolicy();

    /** asyncio {@code set_event_loop_policy}: {@code null} returns to the configured or ranked choice. */
    void setExplicitPolicy(EventLoopPolicy policy);

    /**
     * Whether {@code thread} is asyncio's main thread: the one context where a policy makes a loop
     * implicitly. The JVM's main thread unless a platform designated another.
     */
    boolean isMainContext(Thread thread);

    /**
     * Looks up the watcher with {@code lookup} outside the spawn gate, then runs {@code spawn} with
     * it under the gate's shared side, looking again if a watcher switch finished meanwhile. Nothing
     * but the spawn and the watcher's {@code addChildHandler} may run in {@code spawn}: no user code,
     * no logging.
     */
    <W, T, E extends Exception> T spawn(Supplier<W> lookup, Spawn<? super W, T, E> spawn) throws E;

    /**
     * Whether this thread is handing children from one watcher to another: the new watcher's
     * {@code addChildHandler} is then called outside any running loop (asyncio would refuse that),
     * for children whose handlers already pass the exit on to their own loop.
     */
    boolean handingOverInThisThread();

    /** Every pid a child watcher holds or that waits for one: the children that are Loopkit's. */
    Set<Long> registeredChildren();

    /** How messages name {@code watcher}: its registered name in quotes, else its class. */
    String describe(ChildWatcher watcher);

    /**
     * {@code watcher} is about to close (its component is being deactivated): it leaves the choice of
     * watchers and its children go to the current one, under the spawn gate, so that no spawn
     * registers with it once it is closed and no child closes with it. A watcher calls it before it
     * closes; the default does nothing.
     *
     * @since 2.1
     */
    default void retire(ChildWatcher watcher) {
    }

    /**
     * Runs {@code action} now, or, when the calling thread holds the spawn gate (a spawn registering
     * its child, a switch handing children over), as soon as it has let go of it. What a child
     * watcher says or calls there, a warning (a log handler) or a handler registered with it
     * directly, is user code, and user code may wait for a thread that spawns or switches, which
     * waits for the gate. The default runs it now.
     *
     * @since 2.2
     */
    default void outsideSpawnGate(Runnable action) {
        action.run();
    }
}
