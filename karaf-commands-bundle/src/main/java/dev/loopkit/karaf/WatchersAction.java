package dev.loopkit.karaf;

import dev.loopkit.shell.Listing;
import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code loop:watchers}. */
@Service
@Command(scope = LoopCommands.SCOPE, name = "watchers", description = LoopCommands.WATCHERS)
public class WatchersAction extends ListingAction {

    @Override
    Listing listing(LoopCommands commands) {
        return commands.watchersListing();
    }
}
