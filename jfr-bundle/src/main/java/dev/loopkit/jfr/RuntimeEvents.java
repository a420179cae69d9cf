package dev.loopkit.jfr;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.runtime.ChildWatcherSwitch.HandOverListener;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.runtime.RankedRegistry.Choice;
import dev.loopkit.runtime.RankedRegistry.Entry;
import dev.loopkit.runtime.RankedRegistry.Listener;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Emits {@value LoopkitEvents#WATCHER_SWAP} after each hand-over of children between watchers (the switch says how
 * many moved) and {@value LoopkitEvents#POLICY_CHANGE} when the process-wide policy changes, until {@link #close()}.
 * Both are told outside the registries' locks and the spawn gate; an event costs nothing while no
 * recording has it enabled.
 */
public final class RuntimeEvents implements AutoCloseable {

    private final ProcessWide runtime = ProcessWide.get();
    private final LoopkitEvents events = new LoopkitEvents();
    // A service that left the registry is named as it was while it was there (weak: no service kept alive).
    private final Map<Object, String> names = new WeakHashMap<>();
    private final Listener<EventLoopPolicy> policyListener = this::policyChanged;
    private final HandOverListener handOverListener = this::handedOver;

    private RuntimeEvents() {
        remember(runtime.policies());
        remember(runtime.childWatchers());
        runtime.policies().addListener(policyListener);
        runtime.watcherSwitch().addHandOverListener(handOverListener);
    }

    /** Starts emitting the events (the OSGi component does this while the bundle is active). */
    public static RuntimeEvents start() {
        return new RuntimeEvents();
    }

    @Override
    public void close() {
        runtime.policies().removeListener(policyListener);
        runtime.watcherSwitch().removeHandOverListener(handOverListener);
        events.close();
    }

    private void policyChanged(EventLoopPolicy previous, EventLoopPolicy current) {
        remember(runtime.policies());
        events.policyChange(name(previous), name(current), reason(runtime.policies()));
    }

    private void handedOver(ChildWatcher from, ChildWatcher to, int moved, String cause) {
        // Every watcher that becomes current is named here first: once it leaves the registry, its
        // last hand-over still names it.
        remember(runtime.childWatchers());
        if (from == to) {
            return; // the current watcher gathering strays: no swap
        }
        events.watcherSwap(name(from), name(to), reason(runtime.childWatchers()) + ": " + cause, moved);
    }

    private synchronized void remember(RankedRegistry<?> registry) {
        for (Entry<?> entry : registry.entries()) {
            names.put(entry.service(), entry.name());
        }
    }

    private synchronized String name(Object service) {
        if (service == null) {
            return "none";
        }
        String name = names.get(service);
        return name != null ? name : service.getClass().getName(); // as the registry names it; "" for an anonymous class
    }

    private static String reason(RankedRegistry<?> registry) {
        Choice<?> choice = registry.choice();
        return choice == null ? "none" : choice.reason().toString();
    }
}
