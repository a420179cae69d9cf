package dev.loopkit.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's signal masks, as {@code /proc/self/status} shows them: signal n at bit n - 1 (Linux has
 * signals 1 to 64). {@code kill(getpid(), n)} is process-directed, and until one of its threads takes the
 * signal it waits in the shared pending set ({@code ShdPnd}), where a test that waits for a signal to have
 * been handled looks for it; {@code SigCgt} holds the signals with a handler.
 */
public final class SignalMasks {

    private SignalMasks() {
    }

    /** The mask {@code field} of {@code /proc/self/status} ({@code "ShdPnd"}, {@code "SigCgt"}, ...). */
    public static long mask(String field) {
        String prefix = field + ":";
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith(prefix))
                    .mapToLong(line -> Long.parseUnsignedLong(line.substring(prefix.length()).trim(), 16))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no " + prefix + " in /proc/self/status"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shared pending set. */
    public static long sharedPending() {
        return mask("ShdPnd");
    }

    /** Whether {@code signal} waits in the shared pending set. */
    public static boolean pendingForTheProcess(int signal) {
        return (sharedPending() & bit(signal)) != 0;
    }

    /** Whether {@code signal} has a handler. */
    public static boolean caught(int signal) {
        return (mask("SigCgt") & bit(signal)) != 0;
    }

    private static long bit(int signal) {
        return 1L << (signal - 1);
    }
}
