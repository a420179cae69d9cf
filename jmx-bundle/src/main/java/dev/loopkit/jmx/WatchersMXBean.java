package dev.loopkit.jmx;

import java.util.List;
import java.util.Map;

/** {@code dev.loopkit:type=Watchers}: the child watchers, as {@code loop:watchers} lists them. */
public interface WatchersMXBean extends RankedChoiceMXBean {

    /** The installed watchers, best-ranked first, with their state and the children each holds. */
    List<WatcherEntry> getWatchers();

    /** Watchers that cannot work on this machine, by name, with the reason. */
    Map<String, String> getUnavailable();
}
