package dev.loopkit.shell.internal;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.shell.LoopCommands;
import org.apache.felix.service.command.Descriptor;

/** Gogo commands {@code loop:policies} and {@code loop:policy}, registered by {@link GogoCommands}; the text comes from {@link LoopCommands}. */
public final class PolicyCommands {

    private final LoopCommands commands;

    PolicyCommands(ChoiceStore store) {
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
