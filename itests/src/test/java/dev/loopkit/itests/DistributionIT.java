package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Before;
import org.junit.Test;

/**
 * The distribution as users start it: {@code bin/loopkit -c "<command>"} in a fresh JVM each time,
 * so a choice saved by one run is seen by the next (a real framework restart).
 */
public class DistributionIT {

    private Path data;

    @Before
    public void freshDataDirectory() throws Exception {
        data = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "loopkit-data");
    }

    @Test
    public void policiesListsTheRankedPolicies() throws Exception {
        Command result = loopkit("loop:policies");
        assertEquals(result.toString(), 0, result.status());
        assertTrue(result.toString(), result.out().contains("*  default   100      dev.loopkit.policy"));
        assertTrue(result.toString(), result.out().contains("process-wide: default (ranked: highest service.ranking)"));
    }

    @Test
    public void aConfiguredPolicySurvivesAFrameworkRestart() throws Exception {
        Command set = loopkit("loop:policy proactor");
        assertEquals(set.toString(), 0, set.status());
        Command after = loopkit("loop:policy");
        assertEquals(after.toString(), "process-wide: proactor (configured: configuration dev.loopkit.policy)", after.out().strip());
        Command reset = loopkit("loop:reset-policy");
        assertEquals(reset.toString(), 0, reset.status());
        Command again = loopkit("loop:policy");
        assertEquals(again.toString(), "process-wide: default (ranked: highest service.ranking)", again.out().strip());
    }

    @Test
    public void watchersListsTheRankedOnesAndAChosenOneSurvivesARestart() throws Exception {
        Command list = loopkit("loop:watchers");
        assertEquals(list.toString(), 0, list.status());
        List<String> lines = list.out().lines().toList();
        assertTrue(list.toString(), lines.get(0).matches("   NAME +RANKING +STATE +CHILDREN +BUNDLE"));
        String best = Pidfds.bestWatcher();
        Map<String, Integer> rankings = Map.of("pidfd", 50, "threaded", 40, "multiloop", 30, "safe", 20, "fast", 10);
        assertTrue(list.toString(), lines.get(1).matches("\\* +" + best + " +" + rankings.get(best) + " +active +0 +dev\\.loopkit\\.watcher\\." + best));
        for (String standby : List.of("threaded", "multiloop", "safe", "fast")) {
            if (!standby.equals(best)) {
                assertTrue(list.toString(), list.out().lines().anyMatch(
                        line -> line.matches(" +" + standby + " +" + rankings.get(standby) + " +standby +0 .*")));
            }
        }
        if (!Pidfds.work()) {
            assertTrue(list.toString(), list.out().lines().anyMatch(line -> line.matches(" +pidfd +- +unavailable: .+")));
        }
        assertEquals(list.toString(), "process-wide: " + best + " (ranked: highest service.ranking)", lines.get(lines.size() - 1));

        Command set = loopkit("loop:watcher safe");
        assertEquals(set.toString(), "process-wide: safe (configured: configuration dev.loopkit.policy)", set.out().strip());
        Command after = loopkit("loop:watchers");
        assertTrue(after.toString(), after.out().lines().anyMatch(line -> line.matches("\\* +safe +20 +active +0 .*")));
        Command reset = loopkit("loop:reset-watcher");
        assertEquals(reset.toString(), "process-wide: " + best + " (ranked: highest service.ranking)", reset.out().strip());
    }

    @Test
    public void runStreamsTheProgramsOutputThenHowItEnded() throws Exception {
        Command run = loopkit("loop:run /bin/sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'");
        assertEquals(run.toString(), 0, run.status());
        List<String> out = run.out().lines().toList();
        assertEquals(run.toString(), "to-stdout", out.get(0));
        assertTrue(run.toString(), out.get(1).matches(
                "pid \\d+: returncode 3 after [0-9.]+ ms \\(watcher " + Pidfds.bestWatcher() + ", SelectorEventLoop\\)"));
        assertEquals(run.toString(), "to-stderr", run.err().strip());

        // the safe watcher reaps through the main loop, running as soon as the platform is up
        Command safe = loopkit("loop:watcher safe ; loop:run /bin/sh -c 'kill -9 $$'");
        assertEquals(safe.toString(), 0, safe.status());
        assertTrue(safe.toString(), safe.out().strip().matches(
                "pid \\d+: killed by signal 9 \\(returncode -9\\) after [0-9.]+ ms \\(watcher safe, SelectorEventLoop\\)"));

        Command missing = loopkit("loop:run nosuchprogram");
        assertEquals(missing.toString(), 1, missing.status());
        assertEquals(missing.toString(), "Error: No such file or directory: 'nosuchprogram'", missing.err().strip());
    }

    @Test
    public void loopsShowsTheMainLoopAndChildrenWhatTheWatchersHold() throws Exception {
        Command loops = loopkit("loop:loops");
        assertEquals(loops.toString(), 0, loops.status());
        assertTrue(loops.toString(), loops.out().lines().anyMatch(
                line -> line.matches("selector +SelectorEventLoop #\\d+ +loopkit-main +yes +\\d+ +\\d+ +\\d+ +0 +(-|[\\d.]+ ms)")));
        Command children = loopkit("loop:children");
        assertTrue(children.toString(), children.out().lines().anyMatch(line -> line.matches("\\* +" + Pidfds.bestWatcher() + " +0 *")));
        assertTrue(children.toString(), children.out().strip().endsWith("0 children watched"));
    }

    @Test
    public void aFailingCommandExitsNonZeroWithItsMessage() throws Exception {
        Command unknown = loopkit("loop:policy nosuch");
        assertEquals(unknown.toString(), 1, unknown.status());
        assertEquals("Error: Unknown event loop policy 'nosuch' (known: default, selector, proactor)", unknown.err().strip());
        Command missing = loopkit("loop:nosuchcommand");
        assertEquals(missing.toString(), 1, missing.status());
    }

    @Test
    public void withoutArgumentsItIsAnInteractiveShell() throws Exception {
        Command shell = Command.run(List.of("sh", Distribution.home().resolve("bin/loopkit").toString()),
                Map.of("LOOPKIT_DATA", data.toString()), "loop:policies\n");
        assertEquals(shell.toString(), 0, shell.status());
        assertTrue(shell.toString(), shell.out().contains("*  default   100"));
    }

    private Command loopkit(String gogoCommand) throws Exception {
        return Command.run(List.of("sh", Distribution.home().resolve("bin/loopkit").toString(), "-c", gogoCommand),
                Map.of("LOOPKIT_DATA", data.toString()), null);
    }
}
