package dev.loopkit.webconsole;

import dev.loopkit.shell.LoopCommands;
import dev.loopkit.shell.Listing;
import java.util.Map;

/**
 * What the page shows, as JSON: the tables and summary lines of {@code loop:policies},
 * {@code loop:watchers}, {@code loop:loops} and {@code loop:children}, cell for cell as the shell
 * prints them, and the names the switch buttons may choose.
 */
final class LoopsSnapshot {

    private LoopsSnapshot() {
    }

    static String json(LoopCommands commands) {
        Map<String, Listing> reports = Map.of(
                "policies", commands.policiesListing(),
                "watchers", commands.watchersListing(),
                "loops", commands.loopsListing(),
                "children", commands.childrenListing());
        Json json = new Json().begin();
        for (String name : new String[] {"policies", "watchers", "loops", "children"}) {
            Listing report = reports.get(name);
            json.key(name).begin()
                    .key("header").strings(report.header())
                    .key("rows").table(report.rows())
                    .key("summary").value(report.footer())
                    .end();
        }
        json.key("policyNames").strings(LoopCommands.names(LoopCommands.POLICY_TOPIC.registry()));
        json.key("watcherNames").strings(LoopCommands.names(LoopCommands.WATCHER_TOPIC.registry()));
        return json.end().toString();
    }
}
