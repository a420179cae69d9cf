package dev.loopkit.karaf;

import dev.loopkit.shell.LoopCommands;

/**
 * A {@code loop:} command that says one thing: its text is returned, so that the console prints it and
 * a script can use it.
 */
abstract class LoopAction extends CommandsAction {

    @Override
    public final Object execute() {
        return text(commands()).stripTrailing();
    }

    abstract String text(LoopCommands commands);
}
