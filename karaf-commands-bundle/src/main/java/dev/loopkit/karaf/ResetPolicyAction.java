package dev.loopkit.karaf;

import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code loop:reset-policy}. */
@Service
@Command(scope = LoopCommands.SCOPE, name = "reset-policy", description = LoopCommands.RESET_POLICY)
public class ResetPolicyAction extends LoopAction {

    @Override
    String text(LoopCommands commands) {
        return commands.resetPolicy();
    }
}
