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
