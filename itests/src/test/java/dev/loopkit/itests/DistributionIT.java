package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.itests.bundles.FailingActivator;
import dev.loopkit.itests.bundles.TestBundles;
import dev.loopkit.loop.epoll.EpollEventLoop;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
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
        String best = EpollPolicy.processWide();
        assertTrue(result.toString(), result.out().lines().anyMatch(line -> line.matches("\\* +" + best + " +"
                + EpollPolicy.rankings().get(best) + " +dev\\.loopkit\\." + (EpollPolicy.works() ? "loop\\.epoll" : "policy") + " .*")));
        assertTrue(result.toString(), result.out().contains(EpollPolicy.rankedStatus()));
    }

    @Test
    public void withTheEpollSwitchOffTheDefaultPolicyIsProcessWideAndPoliciesSaysWhyNotEpoll() throws Exception {
        Map<String, String> epollOff = Map.of(EpollEventLoop.SWITCH, "off");
        Command result = loopkit("loop:policies", epollOff);
        assertEquals(result.toString(), 0, result.status());
        List<String> lines = result.out().lines().toList();
        assertTrue(result.toString(), lines.get(1).matches("\\* +default +100 +dev\\.loopkit\\.policy .*"));
        assertTrue(result.toString(), lines.stream().anyMatch(
                line -> line.matches(" +epoll +- +- +unavailable: LOOPKIT_EPOLL=off in the environment")));
        assertEquals(result.toString(), "process-wide: default (ranked: highest service.ranking)", lines.get(lines.size() - 1));
        Command run = loopkit("loop:run /bin/sh -c 'exit 0'", epollOff);
        assertTrue(run.toString(), run.out().strip().matches(
                "pid \\d+: returncode 0 after [0-9.]+ ms \\(watcher " + Pidfds.bestWatcher() + ", SelectorEventLoop\\)"));
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
        assertEquals(again.toString(), EpollPolicy.rankedStatus(), again.out().strip());
    }

    /**
     * An admin edits {@code conf/dev.loopkit.policy.cfg} while the platform is down, then starts it: the
     * edit applies, and the file stays as written. With FileInstall writing configurations back into
     * their files, its scan right after the initial one read the file while its own write-back (of the
     * update that scan made) had truncated it: the configuration was emptied, then written back empty,
     * and the edit was gone, in 2 of 8 such restarts here.
     */
    @Test
    public void aConfFileEditedWhileThePlatformIsDownAppliesAndKeepsItsText() throws Exception {
        Path file = Distribution.home().resolve("conf/dev.loopkit.policy.cfg");
        try {
            for (int restart = 0; restart < 2; restart++) { // each way once: the lost edit failed the first
                String policy = restart % 2 == 0 ? "selector" : "proactor";
                String text = "# edited by hand\npolicy = " + policy + "\n";
                Files.writeString(file, text);
                // the sleep keeps the platform up past FileInstall's first scans
                Command shell = Command.run(List.of("sh", Distribution.home().resolve("bin/loopkit").toString()),
                        withTheConsoleOnAFreePort(), "loop:run /bin/sleep 2\nloop:policy\n");
                assertEquals(shell.toString(), 0, shell.status());
                assertEquals("restart " + restart, text, Files.readString(file));
                assertTrue("restart " + restart + ": " + shell, shell.out().contains(
                        "process-wide: " + policy + " (configured: configuration dev.loopkit.policy)"));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A {@code conf/} file deleted while the platform is down takes its choice with it, as one deleted
     * while it runs does (FileInstall deletes that file's configuration): the configuration FileInstall had
     * made from it stayed in the platform's data, and its choice applied with no file left to edit (an
     * outside review).
     */
    @Test
    public void aConfFileDeletedWhileThePlatformIsDownNoLongerApplies() throws Exception {
        Path file = Distribution.home().resolve("conf/dev.loopkit.policy.cfg");
        try {
            Files.writeString(file, "policy = proactor\n");
            Command before = loopkit("loop:policy");
            assertTrue(before.toString(), before.out().contains("process-wide: proactor (configured: configuration dev.loopkit.policy)"));
            Files.delete(file);
            Command after = loopkit("loop:policy");
            assertEquals(after.toString(), 0, after.status());
            assertTrue(after.toString(), after.out().contains("process-wide: ") && !after.out().contains("proactor"));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * An edit of the {@code conf/} file applies to the next one-command run too, and a choice that run
     * makes is written into the file beside the edit. Before, a one-command run had no FileInstall: it
     * ran with the choice of before the edit, and wrote that choice back over the edit.
     */
    /**
     * A {@code .cfg} file FileInstall cannot read (a bad escape) is said in the log file, as every warning
     * of the platform is: FileInstall wrote its error to stdout alone, and an admin looking in the log found
     * nothing (an outside review of the admin surface).
     */
    @Test
    public void aConfFileThatCannotBeReadIsSaidInTheLog() throws Exception {
        Path file = Distribution.home().resolve("conf/broken.cfg");
        try {
            Files.writeString(file, "policy = \\u12zz\n");
            Command policy = loopkit("loop:policy");
            assertEquals(policy.toString(), 0, policy.status());
            String log = Files.readString(data.resolve("log/loopkit-0.log"));
            assertTrue(log, log.contains("SEVERE fileinstall: Failed to install artifact: " + file));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    public void aOneCommandRunSeesAnEditOfTheConfFileAndKeepsItWhenItChooses() throws Exception {
        Path file = Distribution.home().resolve("conf/dev.loopkit.policy.cfg");
        try {
            Files.writeString(file, "policy = selector\n");
            Command platform = Command.run(List.of("sh", Distribution.home().resolve("bin/loopkit").toString()),
                    withTheConsoleOnAFreePort(), "loop:run /bin/sleep 1\nloop:policy\n");
            assertTrue(platform.toString(), platform.out().contains("process-wide: selector (configured: configuration dev.loopkit.policy)"));
            Files.writeString(file, "policy = proactor\n"); // edited while the platform is down
            Command policy = loopkit("loop:policy");
            assertEquals(policy.toString(), "process-wide: proactor (configured: configuration dev.loopkit.policy)", policy.out().strip());
            Command watcher = loopkit("loop:watcher safe");
            assertEquals(watcher.toString(), 0, watcher.status());
            assertEquals("policy = proactor\nwatcher = safe\n", Files.readString(file));
        } finally {
            Files.deleteIfExists(file);
        }
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
                "pid \\d+: returncode 3 after [0-9.]+ ms \\(watcher " + Pidfds.bestWatcher() + ", " + EpollPolicy.loopClass() + "\\)"));
        assertEquals(run.toString(), "to-stderr", run.err().strip());

        // the safe watcher reaps through the main loop, running as soon as the platform is up
        Command safe = loopkit("loop:watcher safe ; loop:run /bin/sh -c 'kill -9 $$'");
        assertEquals(safe.toString(), 0, safe.status());
        assertTrue(safe.toString(), safe.out().strip().matches(
                "pid \\d+: killed by signal 9 \\(returncode -9\\) after [0-9.]+ ms \\(watcher safe, " + EpollPolicy.loopClass() + "\\)"));

        Command missing = loopkit("loop:run nosuchprogram");
        assertEquals(missing.toString(), 1, missing.status());
        assertEquals(missing.toString(), "Error: No such file or directory: 'nosuchprogram'", missing.err().strip());
    }

    /**
     * SIGTERM to a platform running {@code -c "loop:run ..."} (an admin's {@code kill}, systemd's stop)
     * killed the child but waited for nobody to reap it: the loops' bundles had stopped first, and the
     * run said "no event loop is left to wait for its exit on (watcher pidfd, or the next one, reaps
     * it)" while the watcher's bundle was stopping too (an outside review). The run now ends before
     * any bundle stops: it kills its child, its watcher reaps it, and the run says so.
     */
    @Test
    public void sigtermDuringARunKillsTheProgramAndWaitsForItsExitBeforeThePlatformStops() throws Exception {
        try (TerminalSession run = new TerminalSession("sh " + Distribution.home().resolve("bin/loopkit")
                + " -c \"loop:run sh -c 'echo started \\$\\$; exec sleep 60'\"", Map.of("LOOPKIT_DATA", data.toString()))) {
            long pid = Long.parseLong(run.expect("started (\\d+)\n").group(1));
            ProcessHandle platform = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).orElseThrow();
            assertTrue(platform.info().command().orElse("?"), platform.info().command().orElse("").endsWith("java"));
            platform.destroy(); // SIGTERM
            run.expect("pid " + pid + ": killed by signal 9 \\(returncode -9\\) after [0-9.]+ ms \\(watcher \\w+, "
                    + EpollPolicy.loopClass() + "\\); the platform is stopping: killed\n");
            assertEquals(run.output(), 143, run.waitFor());
        }
    }

    @Test
    public void loopsShowsTheMainLoopAndChildrenWhatTheWatchersHold() throws Exception {
        Command loops = loopkit("loop:loops");
        assertEquals(loops.toString(), 0, loops.status());
        assertTrue(loops.toString(), loops.out().lines().anyMatch(
                line -> line.matches(EpollPolicy.loopFactory() + " +" + EpollPolicy.loopClass()
                        + " #\\d+ +loopkit-main +yes +\\d+ +\\d+ +\\d+ +0 +(-|[\\d.]+ ms)")));
        Command children = loopkit("loop:children");
        assertTrue(children.toString(), children.out().lines().anyMatch(line -> line.matches("\\* +" + Pidfds.bestWatcher() + " +0 *")));
        assertTrue(children.toString(), children.out().strip().endsWith("0 children watched"));
    }

    @Test
    public void aFailingCommandExitsNonZeroWithItsMessage() throws Exception {
        Command unknown = loopkit("loop:policy nosuch");
        assertEquals(unknown.toString(), 1, unknown.status());
        assertEquals("Error: Unknown event loop policy 'nosuch' (known: " + String.join(", ", EpollPolicy.names()) + ")",
                unknown.err().strip());
        Command missing = loopkit("loop:nosuchcommand");
        assertEquals(missing.toString(), 1, missing.status());
    }

    @Test
    public void withoutArgumentsItIsAnInteractiveShell() throws Exception {
        Command shell = Command.run(List.of("sh", Distribution.home().resolve("bin/loopkit").toString()),
                withTheConsoleOnAFreePort(), "loop:policies\n");
        assertEquals(shell.toString(), 0, shell.status());
        assertTrue(shell.toString(), shell.out().lines().anyMatch(line -> line.matches(
                "\\* +" + EpollPolicy.processWide() + " +" + EpollPolicy.rankings().get(EpollPolicy.processWide()) + " .*")));
    }

    /**
     * An admin's ways of starting it (an outside review): through a symbolic link, which said "Unable to
     * access jarfile .../lib/launcher-*.jar"; and with stdin closed, which had the shell read the JDK's
     * lib/modules as commands and create files named by its bytes in the working directory.
     */
    @Test
    public void throughASymbolicLinkAndWithStdinClosedItStartsAndStopsCleanly() throws Exception {
        Path elsewhere = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "loopkit-cwd");
        Path link = elsewhere.resolve("loopkit");
        Files.createSymbolicLink(link, Distribution.home().resolve("bin/loopkit"));
        Command shell = Command.run(List.of("sh", "-c", "cd \"$0\" && exec sh ./loopkit <&-", elsewhere.toString()),
                withTheConsoleOnAFreePort(), null);
        assertEquals(shell.toString(), 0, shell.status());
        assertTrue(shell.toString(), !shell.err().contains("Command not found") && !shell.err().contains("Unable to access jarfile"));
        try (var left = Files.list(elsewhere)) {
            assertEquals("files the shell made in its working directory", List.of(link), left.toList());
        }
    }

    /**
     * A second platform on the same data directory wiped the first one's bundle cache as it started,
     * and each overwrote the other's saved choices (an outside review). The lock is held here by this
     * test's JVM, as a running platform holds it.
     */
    @Test
    public void aSecondPlatformOnTheSameDataDirectoryIsRefusedNamingTheFirst() throws Exception {
        Path lockFile = data.resolve("loopkit.lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            channel.write(ByteBuffer.wrap("4242\n".getBytes(StandardCharsets.UTF_8)));
            Command second = loopkit("loop:policy selector");
            assertEquals(second.toString(), 1, second.status());
            assertTrue(second.toString(), second.err().contains("another Loopkit (pid 4242) runs on " + data
                    + ": stop it, or give this one its own LOOPKIT_DATA"));
        }
        try (var left = Files.list(data)) {
            assertEquals("nothing of the running one's touched", List.of(lockFile), left.toList());
        }
        Command alone = loopkit("loop:policy");
        assertEquals(alone.toString(), 0, alone.status());
    }

    /**
     * A server bundle that cannot start (the Web Console once, over a stale servlet jar) is reported,
     * and the shell still comes: before, the launcher's main thread died with the BundleException and
     * the JVM stayed up with no shell, "still running after 120 s".
     */
    @Test
    public void aServerBundleThatFailsToStartIsReportedAndTheShellStillComes() throws Exception {
        Path home = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "loopkit-home");
        try (var files = Files.walk(Distribution.home())) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Path to = home.resolve(Distribution.home().relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        try (InputStream failing = TestBundles.failingToStart()) {
            Files.copy(failing, home.resolve("server/failing.jar"));
        }
        Command shell = Command.run(List.of("sh", home.resolve("bin/loopkit").toString()),
                withTheConsoleOnAFreePort(), "loop:policies\n");
        assertEquals(shell.toString(), 0, shell.status());
        assertTrue(shell.toString(), shell.err().contains(TestBundles.FAILING) && shell.err().contains(FailingActivator.WHY));
        assertTrue(shell.toString(), shell.out().contains(EpollPolicy.rankedStatus()));
    }

    private Command loopkit(String gogoCommand) throws Exception {
        return loopkit(gogoCommand, Map.of());
    }

    /**
     * The environment of an interactive platform (one that starts the Web Console): its data, and a
     * console port free now. On the distribution's 8181 a platform started with bin/loopkit beside the
     * tests kept the console, and its server bundles, off (a CI run here, while a review's platform ran).
     */
    private Map<String, String> withTheConsoleOnAFreePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Map.of("LOOPKIT_DATA", data.toString(), "LOOPKIT_JAVA_OPTS", "-Dorg.osgi.service.http.port=" + probe.getLocalPort());
        }
    }

    private Command loopkit(String gogoCommand, Map<String, String> environment) throws Exception {
        Map<String, String> withData = new HashMap<>(environment);
        withData.put("LOOPKIT_DATA", data.toString());
        return Command.run(List.of("sh", Distribution.home().resolve("bin/loopkit").toString(), "-c", gogoCommand), withData, null);
    }
}
