package dev.loopkit.jmx;

/**
 * One ranked registry (policies or child watchers) as JMX shows it, with the words of the
 * {@code loop:} commands: which entry is current and why, and the switch and reset that
 * {@code loop:policy <name>} / {@code loop:reset-policy} do, saving the choice in configuration
 * {@code dev.loopkit.policy}.
 */
public interface RankedChoiceMXBean {

    /** The current entry's name, or {@code null} when none is installed. */
    String getCurrent();

    /** Why it is current: {@code explicit}, {@code configured} or {@code ranked}; {@code null} when none. */
    String getReason();

    /** The name configured in {@code dev.loopkit.policy}, or {@code null}. */
    String getConfigured();

    /** The status line of {@code loop:policy} / {@code loop:watcher}: "process-wide: default (ranked: highest service.ranking)". */
    String getStatus();

    /**
     * Makes {@code name} current and saves the choice, as {@code loop:policy <name>} does.
     *
     * @return the new status line, and what could not be saved
     * @throws IllegalArgumentException naming the known entries, when none is called {@code name}
     */
    String switchTo(String name);

    /** Forgets the explicit and the configured choice, as {@code loop:reset-policy} does; returns the new status line. */
    String reset();
}
