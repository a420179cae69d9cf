package dev.loopkit.jmx;

import javax.management.ConstructorParameters;

/** One row of {@code loop:watchers}; an open-type {@code CompositeData} in JMX. */
public final class WatcherEntry {

    private final String name;
    private final int ranking;
    private final String state;
    private final int children;
    private final String bundle;
    private final boolean current;

    @ConstructorParameters({"name", "ranking", "state", "children", "bundle", "current"})
    public WatcherEntry(String name, int ranking, String state, int children, String bundle, boolean current) {
        this.name = name;
        this.ranking = ranking;
        this.state = state;
        this.children = children;
        this.bundle = bundle;
        this.current = current;
    }

    public String getName() {
        return name;
    }

    public int getRanking() {
        return ranking;
    }

    /** {@code active}, {@code standby} or {@code inactive: <why>}, as {@code loop:watchers} says. */
    public String getState() {
        return state;
    }

    /** How many children it holds. */
    public int getChildren() {
        return children;
    }

    public String getBundle() {
        return bundle;
    }

    /** Whether it is the current watcher. */
    public boolean isCurrent() {
        return current;
    }
}
