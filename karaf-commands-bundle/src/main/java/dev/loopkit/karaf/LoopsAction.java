package dev.loopkit.karaf;

import dev.loopkit.shell.Listing;
import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code loop:loops}. */
@Service
@Command(scope = LoopCommands.SCOPE, name = "loops", description = LoopCommands.LOOPS)
public class LoopsAction extends ListingAction {

    @Override
    Listing listing(LoopCommands commands) {
        return commands.loopsListing();
    }
}
