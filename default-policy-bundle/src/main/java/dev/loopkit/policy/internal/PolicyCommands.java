package dev.loopkit.policy.internal;

import dev.loopkit.policy.shell.ChoiceStore;
import dev.loopkit.policy.shell.LoopCommands;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo commands {@code loop:policies} and {@code loop:policy}; the text comes from {@link LoopCommands}. */
@Component(service = PolicyCommands.class, property = {
    "osgi.command.scope=" + LoopCommands.SCOPE,
    "osgi.command.function=policies",
    "osgi.command.function=policy"
})
public final class PolicyCommands {

    private final LoopCommands commands;

    @Activate
    public PolicyCommands(@Reference ChoiceStore store) {
        this.commands = new LoopCommands(store);
    }

    @Descriptor(LoopCommands.POLICIES)
    public String policies() {
        return commands.policies();
    }

    @Descriptor(LoopCommands.POLICY_SHOW)
    public String policy() {
        return commands.policy();
    }

    @Descriptor(LoopCommands.POLICY_SET)
    public String policy(@Descriptor(LoopCommands.POLICY_NAME) String name) {
        return commands.policy(name);
    }
}
