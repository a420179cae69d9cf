package dev.loopkit.policy.shell;

/**
 * Where the shell saves what the operator chose: the configuration {@value LoopCommands#PID}, so
 * that a choice survives a restart. The policy bundle publishes the ConfigAdmin-backed store as an
 * OSGi service of this type; shells take it from the service registry and hand it to
 * {@link LoopCommands}.
 */
@FunctionalInterface
public interface ChoiceStore {

    /** What {@link #save} says when there is nowhere to save. */
    String NOT_SAVED = " (not saved: ConfigurationAdmin is not installed)";

    /** A store that saves nothing, for a shell without ConfigAdmin. */
    ChoiceStore NONE = (key, value) -> NOT_SAVED;

    /**
     * Sets property {@code key} of configuration {@value LoopCommands#PID} to {@code value}, or
     * removes it when {@code value} is {@code null}.
     *
     * @return {@code ""} when saved, else a note for the user that starts with a space
     * @throws java.io.UncheckedIOException when the configuration cannot be written
     */
    String save(String key, String value);
}
