package dev.loopkit.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The callback of {@link ChildWatcher#addChildHandler(long, ChildHandler)}: asyncio's
 * {@code callback(pid, returncode, *args)}. It may run on any thread, so it must be thread-safe.
 *
 * <p>Return codes follow asyncio: the exit status ({@code >= 0}); {@code -N} for a child killed by
 * signal N; {@code 255}, with a logged warning, for a child someone else reaped; an undecodable wait
 * status is passed through raw.
 */
@ConsumerType
@FunctionalInterface
public interface ChildHandler {

    void childExited(long pid, int returncode);
}
