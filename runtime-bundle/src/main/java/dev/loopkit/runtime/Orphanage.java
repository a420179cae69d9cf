package dev.loopkit.runtime;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import java.util.HashMap;
import java.util.Map;

/**
 * Where children wait while no child watcher is installed (every watcher bundle stopped): their
 * handlers are kept and nothing is reaped, so an exit meanwhile leaves a zombie, which the next
 * watcher, handed the children, reaps and reports.
 */
final class Orphanage implements ChildWatcher {

    private final Map<Long, ChildHandler> handlers = new HashMap<>();

    @Override
    public synchronized void addChildHandler(long pid, ChildHandler handler) {
        handlers.put(pid, handler);
    }

    @Override
    public synchronized boolean removeChildHandler(long pid) {
        return handlers.remove(pid) != null;
    }

    @Override
    public void attachLoop(EventLoop loop) {
        // nothing to attach: it reaps nothing
    }

    @Override
    public boolean isActive() {
        return false;
    }

    @Override
    public String inactiveReason() {
        return "no child watcher is installed";
    }

    @Override
    public synchronized Map<Long, ChildHandler> children() {
        return Map.copyOf(handlers);
    }

    @Override
    public void close() {
        // the children stay for the next watcher
    }

    @Override
    public String toString() {
        return "<no child watcher: " + children().size() + " children waiting>";
    }
}
