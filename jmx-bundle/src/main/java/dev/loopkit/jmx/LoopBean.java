package dev.loopkit.jmx;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.api.spi.LoopStats;
import java.lang.ref.WeakReference;

/**
 * {@code dev.loopkit:type=Loop,name=<loop>}. One snapshot serves all the attributes a console reads
 * at once: each {@link InspectableLoop#stats()} is a hop to the loop's thread, and up to a second's
 * wait when a callback blocks it, so ten attributes read one by one would wait ten times.
 */
final class LoopBean implements LoopMXBean {

    /** How long one snapshot answers (a console reads all attributes within a few milliseconds). */
    private static final long SNAPSHOT_NANOS = 250_000_000L;

    private final String factory;
    /** Weakly, as its factory holds it: a loop dropped without a close must stay garbage (DroppedLoopTest). */
    private final WeakReference<EventLoop> loop;
    private LoopStats snapshot;
    private long takenAt;

    LoopBean(String factory, EventLoop loop) {
        this.factory = factory;
        this.loop = new WeakReference<>(loop);
    }

    /** The loop's class and number as {@code loop:loops} shows it; the loop's own text if it cannot say. */
    static String loopName(EventLoop loop) {
        return loop instanceof InspectableLoop inspectable ? inspectable.stats().loop() : loop.toString();
    }

    private synchronized LoopStats stats() {
        long now = System.nanoTime();
        EventLoop loop = this.loop.get();
        if (loop == null) { // collected: its MBean goes at the next look; until then, what was last seen of it
            return snapshot != null ? snapshot : new LoopStats("an event loop dropped without close()", null, false, false, -1, -1, -1, -1);
        }
        if (snapshot == null || now - takenAt > SNAPSHOT_NANOS) {
            snapshot = loop instanceof InspectableLoop inspectable ? inspectable.stats()
                    : new LoopStats(loop.toString(), null, loop.isRunning(), false, -1, -1, -1, -1);
            takenAt = System.nanoTime();
        }
        return snapshot;
    }

    @Override
    public String getFactory() {
        return factory;
    }

    @Override
    public String getLoop() {
        return stats().loop();
    }

    @Override
    public String getThread() {
        return stats().thread();
    }

    @Override
    public boolean isRunning() {
        return stats().running();
    }

    @Override
    public boolean isBusy() {
        return stats().busy();
    }

    @Override
    public int getCallbacks() {
        return stats().callbacks();
    }

    @Override
    public int getTimers() {
        return stats().timers();
    }

    @Override
    public int getFds() {
        return stats().fds();
    }

    @Override
    public int getTransports() {
        return stats().transports();
    }

    @Override
    public double getLagMillis() {
        return stats().lagMillis();
    }
}
