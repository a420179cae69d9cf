package dev.loopkit.jmx;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.shell.LoopCommands;
import java.util.List;
import java.util.Map;

/** {@code dev.loopkit:type=Watchers}. */
final class WatchersBean extends RankedChoiceBean<ChildWatcher> implements WatchersMXBean {

    WatchersBean(LoopCommands commands) {
        super(LoopCommands.WATCHER_TOPIC, commands);
    }

    @Override
    public List<WatcherEntry> getWatchers() {
        return topic.registry().entries().stream().map(e -> {
            boolean current = isCurrent(e.service());
            return new WatcherEntry(e.name(), e.ranking(), LoopCommands.watcherState(e.service(), current),
                    e.service().children().size(), e.origin(), current);
        }).toList();
    }

    @Override
    public Map<String, String> getUnavailable() {
        return ProcessWide.get().unavailable().of(topic.registry().kind());
    }
}
