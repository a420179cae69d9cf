package dev.loopkit.webconsole;

import dev.loopkit.shell.LoopCommands;
import dev.loopkit.shell.Report;
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
        Map<String, Report> reports = Map.of(
                "policies", commands.policiesReport(),
                "watchers", commands.watchersReport(),
                "loops", commands.loopsReport(),
                "children", commands.childrenReport());
        Json json = new Json().begin();
        for (String name : new String[] {"policies", "watchers", "loops", "children"}) {
            Report report = reports.get(name);
            json.key(name).begin()
                    .key("header").strings(report.table().header())
                    .key("rows").table(report.table().rows())
                    .key("summary").value(report.summary())
                    .end();
        }
        json.key("policyNames").strings(LoopCommands.names(LoopCommands.POLICY_TOPIC.registry()));
        json.key("watcherNames").strings(LoopCommands.names(LoopCommands.WATCHER_TOPIC.registry()));
        return json.end().toString();
    }
}
