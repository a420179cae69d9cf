package dev.loopkit.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/loopkit} started as the platform (no {@code -c}), its shell fed through a pipe: the
 * shell's output is collected as it comes, so a test can type a command and wait for what it prints.
 */
final class RunningPlatform implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 90;
    private static final String PROMPT = "g! ";

    private final Process process;
    private final OutputStream stdin;
    private final StringBuffer output = new StringBuffer();
    private final Path stderr;

    RunningPlatform(Map<String, String> environment) throws IOException {
        stderr = Files.createTempFile("loopkit-err", ".txt");
        ProcessBuilder builder = new ProcessBuilder("sh", Distribution.home().resolve("bin/loopkit").toString())
                .redirectError(stderr.toFile());
        builder.environment().putAll(environment);
        process = builder.start();
        stdin = process.getOutputStream();
        Thread reader = new Thread(() -> collect(process.getInputStream()), "loopkit-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    private void collect(InputStream in) {
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0;) {
                output.append(new String(buffer, 0, n, StandardCharsets.UTF_8).replace("\r", ""));
            }
        } catch (IOException e) {
            output.append("\n[stdout: ").append(e).append("]\n");
        }
    }

    /** Waits until the output from {@code from} on matches {@code regex}; fails with all the output after a while. */
    Matcher expect(int from, String regex) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            Matcher matcher = pattern.matcher(output.substring(from));
            if (matcher.find()) {
                return matcher;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no /" + regex + "/ in the platform's output:\n" + this);
    }

    /**
     * Types a shell command and returns what it printed, up to and including its line matching
     * {@code lastLine}, without the shell's prompts ({@value #PROMPT}).
     */
    String command(String command, String lastLine) throws IOException, InterruptedException {
        int from = output.length();
        stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        return expect(from, "(?sm)\\A(.*?^(" + PROMPT + ")*" + lastLine + "$)").group(1).replace(PROMPT, "");
    }

    String output() {
        return output.toString();
    }

    /** Ends the shell's input, so the shell stops the framework; forcibly after a while. */
    @Override
    public void close() throws Exception {
        stdin.close();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        Files.deleteIfExists(stderr);
    }

    @Override
    public String toString() {
        try {
            return "--- stdout\n" + output + "--- stderr\n" + Files.readString(stderr);
        } catch (IOException e) {
            return "--- stdout\n" + output + "--- stderr: " + e;
        }
    }
}
