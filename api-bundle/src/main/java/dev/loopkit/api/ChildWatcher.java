package dev.loopkit.api;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * asyncio's {@code AbstractChildWatcher}: tells loops when their child processes exit.
 *
 * <p>Loopkit ships asyncio's five algorithms, each in its own bundle: threaded, multiloop, safe,
 * fast and pidfd. A loop spawns a child inside {@link #enterSpawn()}, after checking
 * {@link #isActive()}, and registers it with {@link #addChildHandler(long, ChildHandler)}.
 *
 * <p><b>For an implementation of one's own.</b> A switch of watchers must lose no exit, so it and
 * every spawn take one process-wide gate in turn: {@link #enterSpawn()}, {@link #isActive()} and
 * {@link #addChildHandler} are called by a spawn holding it, {@link #attachLoop},
 * {@link #detachLoop()}, {@link #children()} and {@link #handOverChildren} by a switch holding it
 * alone. These methods must therefore not wait for anything another thread does while spawning or
 * switching (another loop's spawn, a {@code setChildWatcher} on another thread): that thread waits
 * for the gate, and both wait for good. asyncio's watchers take no such lock. From these methods
 * {@code setChildWatcher} on the same thread is refused while a child is registered, and followed
 * while a switch runs (the watcher set last is the one in use, as in asyncio). Loopkit's own
 * watchers keep this rule; a child's exit handler, which is user code, runs outside the gate.
 */
@ConsumerType
public interface ChildWatcher extends AutoCloseable {

    /**
     * Calls {@code handler} once, when the child {@code pid} exits. A second registration for the
     * same pid replaces the first.
     *
     * @throws IllegalArgumentException when {@code pid <= 0}
     * @throws NullPointerException when {@code handler} is null
     */
    void addChildHandler(long pid, ChildHandler handler);

    /** Stops watching {@code pid}; {@code true} if it was watched. */
    boolean removeChildHandler(long pid);

    /**
     * Attaches the watcher to {@code loop} (or detaches it, for {@code null}). Watchers that listen
     * for SIGCHLD through a loop use it from then on.
     */
    void attachLoop(EventLoop loop);

    /**
     * Stops listening through any loop, because another watcher took over; {@link #attachLoop}
     * resumes. The default is {@code attachLoop(null)}. The multiloop watcher, whose
     * {@code attachLoop} ignores the loop and installs its process-wide SIGCHLD handler whatever it
     * is given, removes that handler instead.
     */
    default void detachLoop() {
        attachLoop(null);
    }

    /** Whether the watcher can deliver exits now; loops refuse to spawn through an inactive one. */
    boolean isActive();

    /**
     * Why {@link #isActive()} is false, in a sentence a user can act on ("it is attached to no
     * running loop"), or {@code null} when it is active.
     */
    default String inactiveReason() {
        return isActive() ? null : "it is not active";
    }

    /**
     * Whether the watcher may reap children it does not hold ({@code waitpid(-1)}, as the fast
     * watcher does). Such a watcher is given its children before it is attached, so that it cannot
     * take an exit from the watcher handing them over.
     */
    default boolean reapsOthersChildren() {
        return false;
    }

    /** The children the watcher holds now and their handlers: a snapshot. */
    default Map<Long, ChildHandler> children() {
        return Map.of();
    }

    /**
     * Moves every child this watcher holds to {@code successor}, so that each exit is delivered
     * exactly once, by one of the two. The default takes each child off this watcher before
     * registering it with the successor: a watcher that reaps only the pids it holds then never
     * reaps a child it gave away. Watchers that reap more (the fast watcher's {@code waitpid(-1)})
     * override it. The caller holds the successor's {@link #enterSpawn()} scope meanwhile.
     */
    default void handOverChildren(ChildWatcher successor) {
        for (Map.Entry<Long, ChildHandler> child : children().entrySet()) {
            if (removeChildHandler(child.getKey())) {
                successor.addChildHandler(child.getKey(), child.getValue());
            }
        }
    }

    /** Releases the watcher's threads, handlers and file descriptors. */
    @Override
    void close();

    /**
     * asyncio's {@code with watcher:}: a scope around spawning and registering children. Only the
     * fast watcher needs it (it keeps exits of children not yet registered); for the others it is
     * free.
     */
    default SpawnScope enterSpawn() {
        return () -> { };
    }
}
