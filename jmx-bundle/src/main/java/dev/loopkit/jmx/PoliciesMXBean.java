package dev.loopkit.jmx;

import java.util.List;

/** {@code dev.loopkit:type=Policies}: the event loop policies, as {@code loop:policies} lists them. */
public interface PoliciesMXBean extends RankedChoiceMXBean {

    /** The installed policies, best-ranked first. */
    List<PolicyEntry> getPolicies();
}
