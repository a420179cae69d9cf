package dev.loopkit.karaf;

import dev.loopkit.shell.FrameworkStop;
import dev.loopkit.shell.LoopCommands;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.BundleContext;

/** {@code loop:run <program> [args...]}: admin only, by the command ACL shipped with the feature. */
@Service
@Command(scope = LoopCommands.SCOPE, name = "run", description = LoopCommands.RUN)
public class RunAction extends LoopAction {

    @Reference
    BundleContext bundleContext;

    @Argument(index = 0, name = "argv", description = LoopCommands.RUN_ARGS, required = true, multiValued = true)
    List<String> argv;

    // Karaf gives each command its session's System.out and System.err. A Karaf stop (bin/stop,
    // SIGTERM) ends the run before the loops' bundles stop, as in Felix.
    @Override
    String text(LoopCommands commands) {
        return commands.run(argv, System.out, System.err, new FrameworkStop(bundleContext));
    }
}
