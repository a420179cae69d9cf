package dev.loopkit.policy.internal;

import dev.loopkit.policy.shell.ChoiceStore;
import dev.loopkit.policy.shell.LoopCommands;
import java.util.List;
import org.apache.felix.service.command.Descriptor;

/** Gogo commands {@code loop:loops} and {@code loop:run}, registered by {@link GogoCommands}. */
public final class LoopsCommands {

    private final LoopCommands commands;

    LoopsCommands(ChoiceStore store) {
        this.commands = new LoopCommands(store);
    }

    @Descriptor(LoopCommands.LOOPS)
    public String loops() {
        return commands.loops();
    }

    // Gogo gives each command thread its own System.out and System.err: the session's.
    @Descriptor(LoopCommands.RUN)
    public String run(@Descriptor(LoopCommands.RUN_ARGS) String... argv) {
        return commands.run(List.of(argv), System.out, System.err);
    }
}
