package dev.loopkit.karaf;

import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code loop:watcher [name]}: shows the current child watcher, or switches it. The command ACL
 * shipped with the feature lets viewers run it without an argument only.
 */
@Service
@Command(scope = LoopCommands.SCOPE, name = "watcher", description = LoopCommands.WATCHER)
public class WatcherAction extends LoopAction {

    @Argument(index = 0, name = "name", description = LoopCommands.WATCHER_NAME, required = false)
    @Completion(WatcherNameCompleter.class)
    String name;

    @Override
    String text(LoopCommands commands) {
        return name == null ? commands.watcher() : commands.watcher(name);
    }
}
