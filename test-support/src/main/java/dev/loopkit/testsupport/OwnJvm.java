package dev.loopkit.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a case in a JVM of its own, for what only a JVM's first use shows (a class initializer, what a
 * first spawn loads): the test's class path, the case's {@code main}, its output read back.
 */
public final class OwnJvm {

    private OwnJvm() {
    }

    /**
     * Runs {@code main}'s class with {@code jvmOptions} and returns what it printed.
     *
     * @throws AssertionError when it did not end within 60 s or exited other than 0, with its output
     */
    public static String run(Class<?> main, String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-cp", System.getProperty("java.class.path")));
        command.addAll(List.of(jvmOptions));
        command.add(main.getName());
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean ended = jvm.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            jvm.destroyForcibly();
        }
        String said = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended || jvm.exitValue() != 0) {
            throw new AssertionError((ended ? "the JVM exited " + jvm.exitValue() : "the JVM did not end within 60 s") + ": " + said);
        }
        return said;
    }
}
