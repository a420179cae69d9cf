package dev.loopkit.api;

import org.osgi.annotation.versioning.ProviderType;

/** asyncio's {@code TimerHandle}: a callback scheduled for a time. */
@ProviderType
public interface TimerHandle extends Handle {

    /** The scheduled time, on the loop's {@link EventLoop#time()} clock, in seconds. */
    double when();
}
