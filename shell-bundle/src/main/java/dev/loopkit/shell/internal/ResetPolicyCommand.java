package dev.loopkit.shell.internal;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.shell.LoopCommands;
import org.apache.felix.service.command.Descriptor;

/**
 * Gogo command {@code loop:reset-policy}. Gogo maps a hyphenated command to a method only through
 * {@code _main}, hence a command object of its own. Registered by {@link GogoCommands}.
 */
public final class ResetPolicyCommand {

    private final LoopCommands commands;

    ResetPolicyCommand(ChoiceStore store) {
        this.commands = new LoopCommands(store);
    }

    @Descriptor(LoopCommands.RESET_POLICY)
    public String _main(String command) {
        return commands.resetPolicy();
    }
}
