package dev.loopkit.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This JVM out of file descriptors for one call, as a host at its {@code RLIMIT_NOFILE}: {@code /dev/null}
 * is opened until the kernel says {@code EMFILE}, the call runs, and every one of them is closed again.
 * Other threads of the JVM cannot open a descriptor meanwhile either: keep the call to the one that must fail.
 */
public final class NoFreeDescriptors {

    private NoFreeDescriptors() {
    }

    /** Runs {@code action} with no descriptor free. */
    public static void during(Runnable action) {
        List<FileChannel> held = new ArrayList<>();
        try {
            try {
                while (true) {
                    held.add(FileChannel.open(Path.of("/dev/null")));
                }
            } catch (IOException outOfDescriptors) {
                if (!String.valueOf(outOfDescriptors.getMessage()).contains("Too many open files")) {
                    throw new UncheckedIOException("not the descriptor limit", outOfDescriptors);
                }
            }
            action.run();
        } finally {
            for (FileChannel channel : held) {
                try {
                    channel.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
