package dev.loopkit.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The signals pending for this process as a whole: {@code kill(getpid(), n)} is process-directed, and
 * until one of its threads takes the signal it waits in the shared set ({@code ShdPnd} in
 * {@code /proc/self/status}), where a test that waits for a signal to have been handled looks for it.
 */
public final class PendingSignals {

    private static final String SHARED_PENDING = "ShdPnd:";

    private PendingSignals() {
    }

    /** The shared pending set: signal n at bit n - 1 (Linux has signals 1 to 64). */
    public static long sharedPending() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith(SHARED_PENDING))
                    .mapToLong(line -> Long.parseUnsignedLong(line.substring(SHARED_PENDING.length()).trim(), 16))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no " + SHARED_PENDING + " in /proc/self/status"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code signal} waits in the shared pending set. */
    public static boolean pendingForTheProcess(int signal) {
        return (sharedPending() & (1L << (signal - 1))) != 0;
    }
}
