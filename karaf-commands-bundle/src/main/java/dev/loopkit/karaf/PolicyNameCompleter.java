package dev.loopkit.karaf;

import dev.loopkit.api.spi.RankedRegistry;
import dev.loopkit.api.spi.Registries;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes the names of the installed event loop policies ({@code default}, {@code selector}, …). */
@Service
public class PolicyNameCompleter extends RegistryNameCompleter {

    @Override
    RankedRegistry<?> registry() {
        return Registries.policies();
    }
}
