package dev.loopkit.policy.internal;

import dev.loopkit.api.spi.Registries;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo command {@code loop:reset-policy}. Gogo maps a hyphenated command to a method only through
 * {@code _main}, hence a command object of its own.
 */
@Component(service = ResetPolicyCommand.class, property = {
    "osgi.command.scope=loop",
    "osgi.command.function=reset-policy"
})
public final class ResetPolicyCommand {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configurationAdmin;

    @Descriptor("forget the explicit and configured policy: the highest-ranked one becomes process-wide")
    public String _main(String command) {
        String note = ConfiguredChoice.reset(configurationAdmin, "policy", Registries.policies());
        return PolicyCommands.describe(Registries.policies()) + note + "\n";
    }
}
