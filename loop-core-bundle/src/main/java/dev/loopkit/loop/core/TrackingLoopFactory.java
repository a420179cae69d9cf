package dev.loopkit.loop.core;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * An {@link EventLoopFactory} that remembers the loops it made, so that stopping its bundle closes
 * them: no loop thread's work, file descriptor or executor outlives the bundle. Loops are held
 * weakly: one the user dropped without closing is not kept alive here.
 */
public abstract class TrackingLoopFactory implements EventLoopFactory {

    // Guarded by this.
    private final Set<BaseEventLoop> loops = Collections.newSetFromMap(new WeakHashMap<>());
    private boolean deactivated;

    /** A new loop of this factory's kind. */
    protected abstract BaseEventLoop createLoop();

    /**
     * A new loop, tracked.
     *
     * @throws IllegalStateException once the factory's bundle stopped: a loop made while it stops
     *         would escape the closing of its loops
     */
    @Override
    public final EventLoop newEventLoop() {
        BaseEventLoop loop = createLoop();
        synchronized (this) {
            if (!deactivated) {
                loops.add(loop);
                return loop;
            }
        }
        loop.close();
        throw new IllegalStateException("Event loop factory '" + name() + "' is no longer active: its bundle stopped");
    }

    @Override
    public synchronized List<EventLoop> liveLoops() {
        return List.copyOf(live());
    }

    // Guarded by this.
    private List<BaseEventLoop> live() {
        List<BaseEventLoop> live = new ArrayList<>(loops.size());
        for (BaseEventLoop loop : loops) {
            if (!loop.isClosed()) {
                live.add(loop);
            }
        }
        return live;
    }

    /**
     * {@link BaseEventLoop#shutdown(String) Shuts down} every live loop: running ones stop and close
     * on their own threads, and their pending callbacks are reported. Declarative Services calls it
     * by its name when the factory's component deactivates. Factory components are {@code immediate}:
     * a delayed one is disposed as soon as nobody uses it, and shut its loops down while their users
     * and its bundle ran on.
     */
    protected void deactivate() {
        List<BaseEventLoop> live;
        synchronized (this) {
            deactivated = true;
            live = live();
            loops.clear();
        }
        for (BaseEventLoop loop : live) {
            loop.shutdown("the " + name() + " loop bundle stopped");
        }
    }
}
