package dev.loopkit.testsupport;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A child watcher that only holds its children's handlers and reaps nothing: the fake for tests of
 * what moves children between watchers (the switch, the registry, the runtime bundle, the shell).
 * Subclasses add what their test watches for.
 */
public class HoldingChildWatcher implements ChildWatcher {

    /** The children held now, by pid. */
    protected final Map<Long, ChildHandler> held = new ConcurrentHashMap<>();

    @Override
    public void addChildHandler(long pid, ChildHandler handler) {
        held.put(pid, handler);
    }

    @Override
    public boolean removeChildHandler(long pid) {
        return held.remove(pid) != null;
    }

    @Override
    public Map<Long, ChildHandler> children() {
        return Map.copyOf(held);
    }

    @Override
    public void attachLoop(EventLoop loop) {
        // it reaps nothing: no loop to attach
    }

    @Override
    public boolean isActive() {
        return true;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
