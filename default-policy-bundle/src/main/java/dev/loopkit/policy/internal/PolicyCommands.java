package dev.loopkit.policy.internal;

import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.spi.RankedRegistry;
import dev.loopkit.api.spi.RankedRegistry.Choice;
import dev.loopkit.api.spi.RankedRegistry.Entry;
import dev.loopkit.api.spi.Registries;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo commands {@code loop:policies} and {@code loop:policy}. */
@Component(service = PolicyCommands.class, property = {
    "osgi.command.scope=loop",
    "osgi.command.function=policies",
    "osgi.command.function=policy"
})
public final class PolicyCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configurationAdmin;

    @Descriptor("list the event loop policies, best-ranked first, and which one is process-wide and why")
    public String policies() {
        RankedRegistry<EventLoopPolicy> registry = Registries.policies();
        Choice<EventLoopPolicy> choice = registry.choice();
        TextTable table = new TextTable("", "NAME", "RANKING", "BUNDLE", "CLASS");
        boolean currentListed = false;
        for (Entry<EventLoopPolicy> entry : registry.entries()) {
            boolean current = choice != null && choice.service() == entry.service();
            currentListed |= current;
            table.row(current ? "*" : "", entry.name(), entry.ranking(), entry.origin(),
                    entry.service().getClass().getName());
        }
        if (choice != null && !currentListed) {
            table.row("*", choice.name(), "-", "-", choice.service().getClass().getName());
        }
        return table + describe(registry);
    }

    @Descriptor("show the process-wide event loop policy and why it is the one")
    public String policy() {
        return describe(Registries.policies());
    }

    @Descriptor("make a policy process-wide; the choice is saved in configuration " + ConfiguredChoice.PID)
    public String policy(@Descriptor("the policy's name, as listed by loop:policies") String name) {
        RankedRegistry<EventLoopPolicy> registry = Registries.policies();
        if (registry.find(name).isEmpty()) {
            throw new IllegalArgumentException("Unknown event loop policy '" + name + "' (" + registry.knownNames() + ")");
        }
        String note = ConfiguredChoice.choose(configurationAdmin, "policy", name, registry);
        return describe(registry) + note + "\n";
    }

    static String describe(RankedRegistry<EventLoopPolicy> registry) {
        Choice<EventLoopPolicy> choice = registry.choice();
        StringBuilder text = new StringBuilder("process-wide: ");
        if (choice == null) {
            text.append("none (no event loop policy is installed)");
        } else {
            text.append(choice.name()).append(" (").append(choice.reason()).append(switch (choice.reason()) {
                case EXPLICIT -> ": set by Asyncio.setEventLoopPolicy; loop:reset-policy clears it";
                case CONFIGURED -> ": configuration " + ConfiguredChoice.PID;
                case RANKED -> ": highest service.ranking";
            }).append(')');
        }
        registry.configured().filter(name -> choice == null || !name.equals(choice.name()))
                .ifPresent(name -> text.append("; configured '").append(name).append("' ")
                        .append(registry.find(name).isPresent() ? "is overridden" : "is not installed"));
        return text.toString();
    }
}
