package dev.loopkit.api;

/**
 * The scope of asyncio's {@code with watcher:} around spawning a child and registering it with
 * {@link ChildWatcher#addChildHandler(long, ChildHandler)}. Closing it ends the scope.
 */
public interface SpawnScope extends AutoCloseable {

    /** Ends the scope; never throws a checked exception. */
    @Override
    void close();
}
