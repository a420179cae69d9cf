package dev.loopkit.shell;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.runtime.RankedRegistry.Choice;
import dev.loopkit.runtime.RankedRegistry.Entry;
import dev.loopkit.runtime.ProcessWide;
import java.util.Map;
import java.util.stream.Collectors;

/** The child watchers as {@code loop:watchers} and {@code loop:children} print them. */
final class WatcherReport {

    /** Pids printed per watcher before the rest is only counted. */
    private static final int PIDS_SHOWN = 16;

    private WatcherReport() {
    }

    /** Every watcher, best first, {@code *} on the current one; then those that cannot work here. */
    static TextTable table() {
        RankedRegistry<ChildWatcher> registry = ProcessWide.get().childWatchers();
        Choice<ChildWatcher> choice = registry.choice();
        TextTable table = new TextTable("", "NAME", "RANKING", "STATE", "CHILDREN", "BUNDLE");
        boolean currentListed = false;
        for (Entry<ChildWatcher> entry : registry.entries()) {
            boolean current = choice != null && choice.isOf(entry);
            currentListed |= current;
            table.row(current ? "*" : "", entry.name(), entry.ranking(), state(entry.service(), current),
                    entry.service().children().size(), entry.origin());
        }
        if (choice != null && !currentListed) {
            table.row("*", choice.name(), "-", state(choice.service(), true), choice.service().children().size(), "-");
        }
        ProcessWide.get().unavailable().of(registry.kind()).forEach((name, reason) -> {
            if (registry.find(name).isEmpty()) {
                table.row("", name, "-", "unavailable: " + reason, "-", "-");
            }
        });
        return table;
    }

    // Only the current watcher is attached; the others wait, detached, until they are chosen.
    static String state(ChildWatcher watcher, boolean current) {
        if (!current) {
            return "standby";
        }
        String reason = watcher.inactiveReason();
        return reason == null ? "active" : "inactive: " + reason;
    }

    /** The pids each watcher holds, and those waiting for one. */
    static Listing children() {
        TextTable table = new TextTable("", "WATCHER", "HELD", "PIDS");
        Choice<ChildWatcher> choice = ProcessWide.get().childWatchers().choice();
        int total = 0;
        for (Entry<ChildWatcher> entry : ProcessWide.get().childWatchers().entries()) {
            Map<Long, ChildHandler> children = entry.service().children();
            total += children.size();
            boolean current = choice != null && choice.isOf(entry);
            table.row(current ? "*" : "", entry.name(), children.size(), pids(children));
        }
        if (choice != null && ProcessWide.get().childWatchers().entryOf(choice.service()).isEmpty()) {
            Map<Long, ChildHandler> children = choice.service().children();
            total += children.size();
            table.row("*", choice.name(), children.size(), pids(children));
        }
        Map<Long, ChildHandler> orphans = ProcessWide.get().watcherSwitch().orphans();
        if (!orphans.isEmpty()) {
            total += orphans.size();
            table.row("", "(waiting for a watcher)", orphans.size(), pids(orphans));
        }
        return table.listing(total + (total == 1 ? " child" : " children") + " watched");
    }

    private static String pids(Map<Long, ChildHandler> children) {
        String shown = children.keySet().stream().sorted().limit(PIDS_SHOWN).map(String::valueOf)
                .collect(Collectors.joining(" "));
        return children.size() > PIDS_SHOWN ? shown + " ... (+" + (children.size() - PIDS_SHOWN) + ")" : shown;
    }
}
