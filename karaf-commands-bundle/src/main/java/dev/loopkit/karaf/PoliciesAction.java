package dev.loopkit.karaf;

import dev.loopkit.shell.Listing;
import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code loop:policies}. */
@Service
@Command(scope = LoopCommands.SCOPE, name = "policies", description = LoopCommands.POLICIES)
public class PoliciesAction extends ListingAction {

    @Override
    Listing listing(LoopCommands commands) {
        return commands.listing(LoopCommands.POLICY_TOPIC);
    }
}
