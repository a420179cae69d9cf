package dev.loopkit.karaf;

import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.shell.LoopCommands;
import java.util.List;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * Completes the names of what one ranked registry holds now (asked at each completion, so bundles
 * that come and go are seen). A command argument names its completer with
 * {@code @Completion(PolicyNameCompleter.class)}; a subclass per registry exists because Karaf
 * instantiates completers by class.
 */
abstract class RegistryNameCompleter implements Completer {

    abstract RankedRegistry<?> registry();

    /** The names offered, best-ranked first. */
    List<String> names() {
        return LoopCommands.names(registry());
    }

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(names()).complete(session, commandLine, candidates);
    }
}
