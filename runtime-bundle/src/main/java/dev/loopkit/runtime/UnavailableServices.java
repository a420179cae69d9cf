package dev.loopkit.runtime;

import dev.loopkit.api.spi.UnavailableService;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is installed but cannot work on this machine, by kind ({@code "child watcher"}) and name,
 * with the reason: the {@link UnavailableService} services, as the api bundle sees them, for the
 * shells to list beside what works.
 */
public final class UnavailableServices {

    // Guarded by this: kind -> name -> reason.
    private final Map<String, Map<String, String>> byKind = new TreeMap<>();

    public UnavailableServices() {
    }

    public synchronized void put(String kind, String name, String reason) {
        byKind.computeIfAbsent(kind, k -> new TreeMap<>()).put(name, reason);
    }

    public synchronized void remove(String kind, String name) {
        Map<String, String> names = byKind.get(kind);
        if (names != null && names.remove(name) != null && names.isEmpty()) {
            byKind.remove(kind);
        }
    }

    /** Name to reason, for one kind: a snapshot. */
    public synchronized Map<String, String> of(String kind) {
        return Map.copyOf(byKind.getOrDefault(kind, Map.of()));
    }

    public synchronized void clear() {
        byKind.clear();
    }
}
