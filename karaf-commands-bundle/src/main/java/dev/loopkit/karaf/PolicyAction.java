package dev.loopkit.karaf;

import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code loop:policy [name]}: shows the process-wide policy, or switches it. The command ACL
 * shipped with the feature lets viewers run it without an argument only.
 */
@Service
@Command(scope = LoopCommands.SCOPE, name = "policy", description = LoopCommands.POLICY)
public class PolicyAction extends LoopAction {

    @Argument(index = 0, name = "name", description = LoopCommands.POLICY_NAME, required = false)
    @Completion(PolicyNameCompleter.class)
    String name;

    @Override
    String text(LoopCommands commands) {
        return name == null ? commands.policy() : commands.policy(name);
    }
}
