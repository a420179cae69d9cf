package dev.loopkit.karaf;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.platform.PlatformConfiguration;
import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/**
 * A {@code loop:} command in Karaf: the text comes from {@link LoopCommands} (as for the Gogo
 * commands in Felix) and is returned, so that the console prints it and a script can use it.
 * The platform bundle's {@link ChoiceStore} service saves switches in configuration
 * {@value PlatformConfiguration#PID}; Karaf registers the commands only while that service is there.
 */
abstract class LoopAction implements Action {

    @Reference
    ChoiceStore store;

    @Override
    public final Object execute() {
        return text(new LoopCommands(store)).stripTrailing();
    }

    abstract String text(LoopCommands commands);
}
