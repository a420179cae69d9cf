package dev.loopkit.jmx;

import dev.loopkit.shell.LoopCommands;
import dev.loopkit.shell.LoopCommands.Topic;
import dev.loopkit.runtime.RankedRegistry.Choice;

/** What the policy and the watcher MBeans share: the shell's own status, switch and reset, through its {@link Topic}. */
abstract class RankedChoiceBean<S> implements RankedChoiceMXBean {

    final Topic<S> topic;
    private final LoopCommands commands;

    RankedChoiceBean(Topic<S> topic, LoopCommands commands) {
        this.topic = topic;
        this.commands = commands;
    }

    @Override
    public String getCurrent() {
        Choice<S> choice = topic.registry().choice();
        return choice == null ? null : choice.name();
    }

    @Override
    public String getReason() {
        Choice<S> choice = topic.registry().choice();
        return choice == null ? null : choice.reason().toString();
    }

    @Override
    public String getConfigured() {
        return topic.registry().configured().orElse(null);
    }

    @Override
    public String getStatus() {
        return commands.status(topic);
    }

    @Override
    public String switchTo(String name) {
        return commands.choose(topic, name).strip();
    }

    @Override
    public String reset() {
        return commands.reset(topic).strip();
    }

    /** Whether {@code service} is the current one. */
    boolean isCurrent(S service) {
        Choice<S> choice = topic.registry().choice();
        return choice != null && choice.service() == service;
    }
}
