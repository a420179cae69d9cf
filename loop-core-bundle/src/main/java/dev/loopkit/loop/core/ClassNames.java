package dev.loopkit.loop.core;

/**
 * The name messages give an object's class, as asyncio's name the class ({@code <_UnixSelectorEventLoop
 * running=False ...>}). An anonymous subclass (a user's loop or watcher that overrides one method) has
 * an empty simple name: it is named by the class it extends.
 */
public final class ClassNames {

    private ClassNames() {
    }

    /** The simple name of {@code type}, or of its nearest superclass that has one. */
    public static String simpleName(Class<?> type) {
        Class<?> named = type;
        while (named.getSimpleName().isEmpty() && named.getSuperclass() != null) {
            named = named.getSuperclass();
        }
        return named.getSimpleName();
    }
}
