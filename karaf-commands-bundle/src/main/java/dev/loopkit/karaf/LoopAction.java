package dev.loopkit.karaf;

import dev.loopkit.shell.LoopCommands;

/**
 * A {@code loop:} command that says one thing: its text is printed, as Karaf's own commands print
 * theirs. Returned, it showed in the console but not in Karaf's one-command mode
 * ({@code ssh karaf@host 'loop:policy'}), which prints no returned value (an outside review).
 */
abstract class LoopAction extends CommandsAction {

    @Override
    public final Object execute() {
        String text = text(commands()).stripTrailing();
        if (!text.isEmpty()) {
            System.out.println(text);
        }
        return null;
    }

    abstract String text(LoopCommands commands);
}
