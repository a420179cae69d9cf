package dev.loopkit.policy.internal;

import dev.loopkit.policy.shell.ChoiceStore;
import dev.loopkit.policy.shell.LoopCommands;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo command {@code loop:reset-policy}. Gogo maps a hyphenated command to a method only through
 * {@code _main}, hence a command object of its own.
 */
@Component(service = ResetPolicyCommand.class, property = {
    "osgi.command.scope=" + LoopCommands.SCOPE,
    "osgi.command.function=reset-policy"
})
public final class ResetPolicyCommand {

    private final LoopCommands commands;

    @Activate
    public ResetPolicyCommand(@Reference ChoiceStore store) {
        this.commands = new LoopCommands(store);
    }

    @Descriptor(LoopCommands.RESET_POLICY)
    public String _main(String command) {
        return commands.resetPolicy();
    }
}
