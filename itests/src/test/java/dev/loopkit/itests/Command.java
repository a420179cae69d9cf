package dev.loopkit.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A program the tests run as a user would, with its exit status and output. */
public record Command(int status, String out, String err) {

    private static final long TIMEOUT_SECONDS = 120;

    public static Command run(List<String> command, Map<String, String> environment, String stdin)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("loopkit-out", ".txt");
        Path err = Files.createTempFile("loopkit-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            try (var input = process.getOutputStream()) {
                if (stdin != null) {
                    input.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(command + " still running after " + TIMEOUT_SECONDS + " s; output so far:\n"
                        + Files.readString(out) + Files.readString(err));
            }
            return new Command(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Override
    public String toString() {
        return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
