package dev.loopkit.itests;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The unpacked distribution under test ({@code loopkit.distribution}, set by the build). */
public final class Distribution {

    private Distribution() {
    }

    public static Path home() {
        String home = System.getProperty("loopkit.distribution");
        if (home == null || !Files.isDirectory(Path.of(home))) {
            throw new IllegalStateException("no unpacked distribution at loopkit.distribution=" + home
                    + ": run the integration tests through Maven (mvn verify)");
        }
        return Path.of(home);
    }

    /** The jars of {@code bundle/}, everything the distribution starts but its shell. */
    public static List<File> bundles() {
        File[] jars = home().resolve("bundle").toFile().listFiles((dir, name) -> name.endsWith(".jar"));
        if (jars == null || jars.length == 0) {
            throw new IllegalStateException("no bundles in " + home().resolve("bundle"));
        }
        Arrays.sort(jars);
        return List.of(jars);
    }
}
