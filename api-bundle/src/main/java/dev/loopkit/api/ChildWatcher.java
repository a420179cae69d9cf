package dev.loopkit.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * asyncio's {@code AbstractChildWatcher}: tells loops when their child processes exit.
 *
 * <p>Loopkit ships asyncio's five algorithms, each in its own bundle: threaded, multiloop, safe,
 * fast and pidfd. A loop spawns a child inside {@link #enterSpawn()}, after checking
 * {@link #isActive()}, and registers it with {@link #addChildHandler(long, ChildHandler)}.
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

    /** Whether the watcher can deliver exits now; loops refuse to spawn through an inactive one. */
    boolean isActive();

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
