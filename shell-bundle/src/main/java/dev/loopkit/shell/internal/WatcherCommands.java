package dev.loopkit.shell.internal;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.shell.LoopCommands;
import org.apache.felix.service.command.Descriptor;

/** Gogo commands {@code loop:watchers}, {@code loop:watcher} and {@code loop:children}, registered by {@link GogoCommands}. */
public final class WatcherCommands {

    private final LoopCommands commands;

    WatcherCommands(ChoiceStore store) {
        this.commands = new LoopCommands(store);
    }

    @Descriptor(LoopCommands.WATCHERS)
    public String watchers() {
        return commands.watchers();
    }

    @Descriptor(LoopCommands.WATCHER_SHOW)
    public String watcher() {
        return commands.watcher();
    }

    @Descriptor(LoopCommands.WATCHER_SET)
    public String watcher(@Descriptor(LoopCommands.WATCHER_NAME) String name) {
        return commands.watcher(name);
    }

    @Descriptor(LoopCommands.CHILDREN)
    public String children() {
        return commands.children();
    }
}
