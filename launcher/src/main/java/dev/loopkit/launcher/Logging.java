package dev.loopkit.launcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.LogManager;

/**
 * Sets up java.util.logging (where {@code System.Logger} writes) from {@code conf/logging.properties},
 * whose {@code ${loopkit.log}} stands for the log directory, unless the user gave their own
 * {@code java.util.logging.config.file}.
 */
final class Logging {

    private Logging() {
    }

    static void configure(Path properties, Path logDirectory) throws IOException {
        if (System.getProperty("java.util.logging.config.file") != null || !Files.isRegularFile(properties)) {
            return;
        }
        Files.createDirectories(logDirectory);
        String text = Files.readString(properties, StandardCharsets.ISO_8859_1)
                .replace("${loopkit.log}", logDirectory.toString().replace("\\", "/"));
        LogManager.getLogManager().readConfiguration(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
    }
}
