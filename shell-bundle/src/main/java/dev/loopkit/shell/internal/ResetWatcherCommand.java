package dev.loopkit.shell.internal;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.shell.LoopCommands;
import org.apache.felix.service.command.Descriptor;

/** Gogo command {@code loop:reset-watcher}: a command object of its own, as {@link ResetPolicyCommand} explains. */
public final class ResetWatcherCommand {

    private final LoopCommands commands;

    ResetWatcherCommand(ChoiceStore store) {
        this.commands = new LoopCommands(store);
    }

    @Descriptor(LoopCommands.RESET_WATCHER)
    public String _main(String command) {
        return commands.resetWatcher();
    }
}
