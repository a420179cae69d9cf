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
 */
public final class LoopkitEvents {

    /** The children went from one child watcher to another. Fields: from, to, reason, childrenMoved. */
    public static final String WATCHER_SWAP = "dev.loopkit.WatcherSwap";
    /** Another event loop policy became process-wide. Fields: from, to, reason. */
    public static final String POLICY_CHANGE = "dev.loopkit.PolicyChange";

    static final EventFactory WATCHER_SWAP_EVENTS = EventFactory.create(
            type(WATCHER_SWAP, "Child Watcher Swap", "The children went from one child watcher to another"),
            List.of(text("from", "From", "The watcher the children left (none: the first watcher came)"),
                    text("to", "To", "The watcher that holds them now (none: they wait for one, unreaped)"),
                    text("reason", "Reason", "Why the new watcher is current (explicit, configured, ranked), and what set the swap off"),
                    plain(int.class, "childrenMoved", "Children Moved")));

    static final EventFactory POLICY_CHANGE_EVENTS = EventFactory.create(
            type(POLICY_CHANGE, "Event Loop Policy Change", "Another event loop policy became process-wide"),
            List.of(text("from", "From", "The policy that was process-wide (none: the first policy came)"),
                    text("to", "To", "The policy that is process-wide now (none: no policy is left)"),
                    text("reason", "Reason", "Why it is process-wide: explicit, configured or ranked")));

    private LoopkitEvents() {
    }

    /** A watcher swap, committed if a recording has it enabled. */
    static void watcherSwap(String from, String to, String reason, int childrenMoved) {
        Event event = WATCHER_SWAP_EVENTS.newEvent();
        if (event.isEnabled()) {
            event.set(0, from);
            event.set(1, to);
            event.set(2, reason);
            event.set(3, childrenMoved);
            event.commit();
        }
    }

    /** A policy change, committed if a recording has it enabled. */
    static void policyChange(String from, String to, String reason) {
        Event event = POLICY_CHANGE_EVENTS.newEvent();
        if (event.isEnabled()) {
            event.set(0, from);
            event.set(1, to);
            event.set(2, reason);
            event.commit();
        }
    }
}
