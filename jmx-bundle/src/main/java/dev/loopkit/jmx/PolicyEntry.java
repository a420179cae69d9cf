package dev.loopkit.jmx;

import javax.management.ConstructorParameters;

/** One row of {@code loop:policies}; an open-type {@code CompositeData} in JMX. */
public final class PolicyEntry {

    private final String name;
    private final int ranking;
    private final String bundle;
    private final String className;
    private final boolean current;

    @ConstructorParameters({"name", "ranking", "bundle", "className", "current"})
    public PolicyEntry(String name, int ranking, String bundle, String className, boolean current) {
        this.name = name;
        this.ranking = ranking;
        this.bundle = bundle;
        this.className = className;
        this.current = current;
    }

    public String getName() {
        return name;
    }

    public int getRanking() {
        return ranking;
    }

    /** The bundle (or module) that provides it. */
    public String getBundle() {
        return bundle;
    }

    public String getClassName() {
        return className;
    }

    /** Whether it is the process-wide one. */
    public boolean isCurrent() {
        return current;
    }
}
