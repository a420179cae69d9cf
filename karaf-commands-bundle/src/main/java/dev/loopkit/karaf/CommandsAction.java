package dev.loopkit.karaf;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.platform.PlatformConfiguration;
import dev.loopkit.shell.KarafActionsWanted;
import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/**
 * A {@code loop:} command in Karaf: what it says comes from {@link LoopCommands} (as for the Gogo
 * commands in Felix). The platform bundle's {@link ChoiceStore} service saves switches in configuration
 * {@value PlatformConfiguration#PID}; Karaf registers the commands only while that service is there,
 * and {@link KarafActionsWanted} (the shell bundle's Gogo commands are not).
 */
abstract class CommandsAction implements Action {

    @Reference
    ChoiceStore store;

    /** Only there while the shell bundle registers no Gogo commands of the same names. */
    @Reference
    KarafActionsWanted wanted;

    LoopCommands commands() {
        return new LoopCommands(store);
    }
}
