package dev.loopkit.jmx;

import java.util.Map;

/** {@code dev.loopkit:type=Children}: the child processes each watcher holds, as {@code loop:children} lists them. */
public interface ChildrenMXBean {

    /** Watcher name to the pids it holds, sorted. */
    Map<String, long[]> getHeld();

    /** The pids waiting for a watcher, because none is installed. */
    long[] getOrphans();

    /** Every child watched: held and waiting. */
    int getTotal();
}
