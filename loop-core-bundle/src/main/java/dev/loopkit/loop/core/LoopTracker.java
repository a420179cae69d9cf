package dev.loopkit.loop.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The loops one factory made, so that stopping the factory's bundle can close them (no thread or
 * file descriptor outlives the bundle). Loops are held weakly: one the user dropped without closing
 * is not kept alive here.
 */
public final class LoopTracker {

    private final Set<BaseEventLoop> loops = Collections.newSetFromMap(new WeakHashMap<>());

    /** Remembers {@code loop} and returns it. */
    public synchronized <L extends BaseEventLoop> L track(L loop) {
        loops.add(loop);
        return loop;
    }

    /** The loops not closed yet. */
    public synchronized List<BaseEventLoop> live() {
        List<BaseEventLoop> live = new ArrayList<>(loops.size());
        for (BaseEventLoop loop : loops) {
            if (!loop.isClosed()) {
                live.add(loop);
            }
        }
        return live;
    }

    /** {@link BaseEventLoop#shutdown(String) Shuts down} every live loop and forgets them all. */
    public void shutdownAll(String reason) {
        List<BaseEventLoop> live;
        synchronized (this) {
            live = live();
            loops.clear();
        }
        for (BaseEventLoop loop : live) {
            loop.shutdown(reason);
        }
    }
}
