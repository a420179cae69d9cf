package dev.loopkit.karaf;

import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code loop:reset-watcher}. */
@Service
@Command(scope = LoopCommands.SCOPE, name = "reset-watcher", description = LoopCommands.RESET_WATCHER)
public class ResetWatcherAction extends LoopAction {

    @Override
    String text(LoopCommands commands) {
        return commands.resetWatcher();
    }
}
