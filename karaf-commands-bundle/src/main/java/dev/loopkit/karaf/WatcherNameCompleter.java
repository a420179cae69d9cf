package dev.loopkit.karaf;

import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.runtime.ProcessWide;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes the names of the installed child watchers ({@code pidfd}, {@code threaded}, …) for {@code loop:watcher <name>}. */
@Service
public class WatcherNameCompleter extends RegistryNameCompleter {

    @Override
    RankedRegistry<?> registry() {
        return ProcessWide.get().childWatchers();
    }
}
