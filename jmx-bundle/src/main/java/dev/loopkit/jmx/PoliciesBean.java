package dev.loopkit.jmx;

import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.shell.LoopCommands;
import java.util.List;

/** {@code dev.loopkit:type=Policies}. */
final class PoliciesBean extends RankedChoiceBean<EventLoopPolicy> implements PoliciesMXBean {

    PoliciesBean(LoopCommands commands) {
        super(LoopCommands.POLICY_TOPIC, commands);
    }

    @Override
    public List<PolicyEntry> getPolicies() {
        return topic.registry().entries().stream()
                .map(e -> new PolicyEntry(e.name(), e.ranking(), e.origin(), e.service().getClass().getName(), isCurrent(e.service())))
                .toList();
    }
}
