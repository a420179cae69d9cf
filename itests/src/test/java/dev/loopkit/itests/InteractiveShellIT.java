package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * {@code bin/loopkit} at a terminal: Ctrl-C is the shell's, never the framework's. At the prompt it
 * clears the line (as in Karaf); during {@code loop:run} it ends that program, as a shell's Ctrl-C
 * ends its foreground job, and the prompt comes back. The terminal is a real pty ({@link TerminalSession}).
 */
public class InteractiveShellIT {

    private static final String PROMPT = "g! ";

    private TerminalSession terminal;

    @Before
    public void startTheShell() throws Exception {
        Path data = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "loopkit-data");
        terminal = new TerminalSession("sh " + Distribution.home().resolve("bin/loopkit"), Map.of("LOOPKIT_DATA", data.toString()));
        terminal.expect(PROMPT);
    }

    @After
    public void closeTheTerminal() throws Exception {
        terminal.close();
    }

    @Test
    public void ctrlCAtThePromptClearsTheLineAndTheShellGoesOn() throws Exception {
        terminal.type("loop:nosuchcommand");
        terminal.type(TerminalSession.CTRL_C);
        terminal.expect(PROMPT);
        terminal.type("loop:policies\r"); // run alone: the interrupted line was dropped
        terminal.expect(Pattern.quote(EpollPolicy.rankedStatus()) + "\n");
        terminal.expect(PROMPT);
        exitWithCtrlD();
    }

    @Test
    public void ctrlCDuringRunEndsTheProgramAndSaysHowThenThePromptComesBack() throws Exception {
        terminal.type("loop:run sh -c 'echo started $$; exec sleep 30'\r");
        int pid = Integer.parseInt(terminal.expect("started (\\d+)\n").group(1));
        terminal.type(TerminalSession.CTRL_C);
        // the terminal's SIGINT goes to the JVM; loop:run passes it on to its child and waits for its end
        Matcher ended = terminal.expect("pid " + pid + ": killed by signal 2 \\(returncode -2\\) after [0-9.]+ ms"
                + " \\(watcher \\w+, " + EpollPolicy.loopClass() + "\\); interrupted \\(SIGINT\\)\n");
        assertFalse(ended.group() + " but /proc/" + pid + " is still there", Files.exists(Path.of("/proc/" + pid)));
        terminal.expect(PROMPT);
        terminal.type("loop:policies\r");
        terminal.expect(Pattern.quote(EpollPolicy.rankedStatus()) + "\n");
        terminal.expect(PROMPT);
        exitWithCtrlD();
    }

    @Test
    public void exitLeavesTheShellWithStatusZeroAndNoError() throws Exception {
        terminal.type("exit\r");
        int status = terminal.waitFor();
        assertFalse(terminal.output(), terminal.output().contains("Cannot coerce"));
        assertEquals(terminal.output(), 0, status);
    }

    @Test
    public void exitWithAStatusEndsTheLauncherWithIt() throws Exception {
        terminal.type("exit 3\r");
        int status = terminal.waitFor();
        // The shell's thread may still print java.lang.InterruptedException as its bundle stops (a JDK 25
        // CI run did, a race with the framework's stop): not asserted, a known leftover.
        assertEquals(terminal.output(), 3, status);
    }

    private void exitWithCtrlD() throws Exception {
        terminal.type(TerminalSession.CTRL_D);
        terminal.expect("gosh: stopping framework");
        assertEquals(terminal.output(), 0, terminal.waitFor());
    }
}
