package dev.loopkit.karaf;

import dev.loopkit.shell.Listing;
import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code loop:children}. */
@Service
@Command(scope = LoopCommands.SCOPE, name = "children", description = LoopCommands.CHILDREN)
public class ChildrenAction extends ListingAction {

    @Override
    Listing listing(LoopCommands commands) {
        return commands.childrenListing();
    }
}
