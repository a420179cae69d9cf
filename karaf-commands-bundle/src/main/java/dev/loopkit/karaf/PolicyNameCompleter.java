package dev.loopkit.karaf;

import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.runtime.ProcessWide;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes the names of the installed event loop policies ({@code default}, {@code selector}, …). */
@Service
public class PolicyNameCompleter extends RegistryNameCompleter {

    @Override
    RankedRegistry<?> registry() {
        return ProcessWide.get().policies();
    }
}
