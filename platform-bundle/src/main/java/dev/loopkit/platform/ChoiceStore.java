package dev.loopkit.platform;

/**
 * Where the shell saves what the operator chose: the configuration {@value PlatformConfiguration#PID},
 * so that a choice survives a restart. The platform bundle publishes the ConfigAdmin-backed store as
 * an OSGi service of this type; shells take it from the service registry and hand it to the shell's
 * {@code LoopCommands}.
 */
@FunctionalInterface
public interface ChoiceStore {

    /** What {@link #save} says when there is nowhere to save. */
    String NOT_SAVED = " (not saved: ConfigurationAdmin is not installed)";

    /** A store that saves nothing, for a shell without ConfigAdmin. */
    ChoiceStore NONE = (key, value) -> NOT_SAVED;

    /**
     * Sets property {@code key} of configuration {@value PlatformConfiguration#PID} to {@code value}, or
     * removes it when {@code value} is {@code null}.
     *
     * <p>The store calls ConfigAdmin outside any lock, and ConfigAdmin may call listeners there; a save
     * made while another thread's save is writing is written by that thread, which then gets any
     * failure, and returns at once. So {@code ""} means "saved, or being saved by the save under way".
     *
     * @return {@code ""} when saved, else a note for the user that starts with a space
     * @throws java.io.UncheckedIOException when the configuration cannot be written
     */
    String save(String key, String value);
}
