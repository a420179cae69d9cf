package dev.loopkit.loop.core.scheduling;

/**
 * Readiness a helper thread saw (a raw file descriptor became readable, say), travelling to the loop
 * thread through the {@link InboundQueue}. When the loop drains it, before the iteration's callbacks
 * run, it puts the callbacks it wakes in the ready queue ({@link Scheduler#addReady}): asyncio's
 * {@code _process_events}. It runs nothing itself, so a reader never runs inside another callback.
 */
public abstract class Readiness extends InboundHandle {

    private static final Runnable NOTHING = () -> { };

    protected Readiness() {
        super(NOTHING);
    }

    /** Loop thread, when drained: schedules what this readiness wakes with {@link Scheduler#addReady}. */
    protected abstract void deliver(Scheduler scheduler);
}
