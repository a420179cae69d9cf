package dev.loopkit.jfr;

import static dev.loopkit.loop.core.flight.JfrTypes.plain;
import static dev.loopkit.loop.core.flight.JfrTypes.text;
import static dev.loopkit.loop.core.flight.JfrTypes.type;

import java.util.List;
import jdk.jfr.Event;
import jdk.jfr.EventFactory;

/**
 * Loopkit's JFR event types, category "Loopkit". They are made with {@link EventFactory}, not as
 * subclasses of {@link Event}: JFR instruments an event subclass to call a handler class it generates
 * in {@code jdk.jfr.internal.handlers}, which a bundle's class loader cannot see (in Felix:
 * "ClassNotFoundException jdk.jfr.internal.handlers.EventHandler... not found by dev.loopkit.jfr");
 * a factory's classes are JFR's own.
 *
 * <p>The types are registered while an instance is open: JFR keeps a type registered until it is
 * unregistered, whatever became of the class loader that made it, so types made once per class (as
 * they were) left another copy of each in every recording's metadata at each update of the bundle
 * (EventTypesFollowTheBundleTest).
 */
public final class LoopkitEvents implements AutoCloseable {

    /** The children went from one child watcher to another. Fields: from, to, reason, childrenMoved. */
    public static final String WATCHER_SWAP = "dev.loopkit.WatcherSwap";
    /** Another event loop policy became process-wide. Fields: from, to, reason. */
    public static final String POLICY_CHANGE = "dev.loopkit.PolicyChange";

    private final EventFactory watcherSwaps = EventFactory.create(
            type(WATCHER_SWAP, "Child Watcher Swap", "The children went from one child watcher to another"),
            List.of(text("from", "From", "The watcher the children left (none: the first watcher came)"),
                    text("to", "To", "The watcher that holds them now (none: they wait for one, unreaped)"),
                    text("reason", "Reason", "Why the new watcher is current (explicit, configured, ranked), and what set the swap off"),
                    plain(int.class, "childrenMoved", "Children Moved")));

    private final EventFactory policyChanges = EventFactory.create(
            type(POLICY_CHANGE, "Event Loop Policy Change", "Another event loop policy became process-wide"),
            List.of(text("from", "From", "The policy that was process-wide (none: the first policy came)"),
                    text("to", "To", "The policy that is process-wide now (none: no policy is left)"),
                    text("reason", "Reason", "Why it is process-wide: explicit, configured or ranked")));

    /** Registers the types with JFR, until {@link #close()}. */
    LoopkitEvents() {
    }

    /** Unregisters the types. */
    @Override
    public void close() {
        watcherSwaps.unregister();
        policyChanges.unregister();
    }

    /** A watcher swap, committed if a recording has it enabled. */
    void watcherSwap(String from, String to, String reason, int childrenMoved) {
        Event event = watcherSwaps.newEvent();
        if (event.isEnabled()) {
            event.set(0, from);
            event.set(1, to);
            event.set(2, reason);
            event.set(3, childrenMoved);
            event.commit();
        }
    }

    /** A policy change, committed if a recording has it enabled. */
    void policyChange(String from, String to, String reason) {
        Event event = policyChanges.newEvent();
        if (event.isEnabled()) {
            event.set(0, from);
            event.set(1, to);
            event.set(2, reason);
            event.commit();
        }
    }
}
