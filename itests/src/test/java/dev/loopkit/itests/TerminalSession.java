package dev.loopkit.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A program run on a pseudo-terminal, as a user at a terminal runs it: util-linux {@code script}
 * gives it a pty whose line discipline turns a typed Ctrl-C into SIGINT for the foreground process
 * group, exactly as an xterm does. What the test writes is typed on the terminal; what the program
 * writes is collected, its escape sequences and carriage returns removed, and searched in order.
 */
final class TerminalSession implements AutoCloseable {

    /** Ctrl-C: the terminal's interrupt character. */
    static final String CTRL_C = "\u0003";
    /** Ctrl-D: end of input at an empty line. */
    static final String CTRL_D = "\u0004";

    private static final long TIMEOUT_SECONDS = 120;
    // CSI sequences (colours, cursor moves), OSC titles, two-character escapes (keypad modes)
    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007]*\u0007|\u001B[()][0-9A-Za-z]|\u001B[=>]|\r");

    private final Process process;
    private final OutputStream keyboard;
    private final StringBuilder screen = new StringBuilder();
    private final Thread reader;
    private int searchedUpTo;

    /**
     * Starts {@code command} (a shell command line) on a new pty of 200 columns; the environment
     * gets {@code environment} and {@code TERM=xterm}.
     */
    TerminalSession(String command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(List.of("script", "--quiet", "--flush", "--return",
                "--command", "stty cols 200 rows 50; exec " + command, "/dev/null")).redirectErrorStream(true);
        builder.environment().put("TERM", "xterm");
        builder.environment().putAll(environment);
        process = builder.start();
        keyboard = process.getOutputStream();
        reader = new Thread(() -> copyScreen(process.getInputStream()), "terminal-session-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Types {@code keys} (a carriage return ends a line, as the Enter key sends it). */
    void type(String keys) throws IOException {
        keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    /**
     * Waits until the output after the previous match contains {@code regex}; returns the match and
     * continues the next search after it.
     *
     * @throws AssertionError with the whole output when it does not come within the hang guard
     */
    Matcher expect(String regex) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        synchronized (screen) {
            while (true) {
                Matcher matcher = pattern.matcher(plainText());
                if (matcher.find(searchedUpTo)) {
                    searchedUpTo = matcher.end();
                    return matcher;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError("no '" + regex + "' on the terminal " + (process.isAlive() ? "after "
                            + TIMEOUT_SECONDS + " s" : "(the program exited with " + process.exitValue() + ")")
                            + "; after the previous match:\n" + plainText().substring(searchedUpTo) + "\n--- the whole output:\n" + plainText());
                }
                screen.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Waits for the program to end; its exit status. */
    int waitFor() throws InterruptedException {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("still running after " + TIMEOUT_SECONDS + " s; the output:\n" + output());
        }
        reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        return process.exitValue();
    }

    /** Everything the program wrote so far, without escape sequences. */
    String output() {
        synchronized (screen) {
            return plainText();
        }
    }

    private String plainText() {
        return ESCAPES.matcher(screen).replaceAll("");
    }

    private void copyScreen(InputStream from) {
        char[] buffer = new char[8192];
        try (Reader text = new InputStreamReader(from, StandardCharsets.UTF_8)) {
            for (int n; (n = text.read(buffer)) > 0; ) {
                synchronized (screen) {
                    screen.append(buffer, 0, n);
                    screen.notifyAll();
                }
            }
        } catch (IOException e) {
            // the program ended
        } finally {
            synchronized (screen) {
                screen.notifyAll();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }
}
