package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** What a spawned child gets: streams, directory, environment, descriptors, process group, signals. */
public class SpawnFileActionsTest extends PosixTestSupport {

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void stdinAndStdoutPipesRoundTrip() throws PosixException {
        int[] in = posix.pipe();
        int[] out = posix.pipe();
        long pid;
        try {
            pid = posix.spawn(SpawnSpec.of("cat").withStdin(Redirect.fd(in[0])).withStdout(Redirect.fd(out[1])));
        } finally {
            posix.close(in[0]);
            posix.close(out[1]);
        }
        try {
            writeFully(in[1], "hello\nworld\n");
            posix.close(in[1]);
            assertEquals("hello\nworld\n", Child.readAll(posix, out[0]));
        } finally {
            posix.close(out[0]);
        }
        assertEquals(0, posix.waitpid(pid, false).returncode());
    }

    @Test
    public void stderrGoesToItsOwnPipe() throws PosixException {
        Child child = Child.run(posix, SpawnSpec.of("sh", "-c", "echo out; echo oops >&2; exit 4"));
        assertEquals(4, child.returncode());
        assertEquals("out\n", child.out());
        assertEquals("oops\n", child.err());
    }

    @Test
    public void devnullIsOpenedForTheChild() throws PosixException {
        Child child = Child.run(posix, SpawnSpec.of("sh", "-c", "readlink /proc/self/fd/0; cat").withStdin(Redirect.DEVNULL));
        assertEquals(0, child.returncode());
        assertEquals("/dev/null\n", child.out());
    }

    @Test
    public void theWorkingDirectoryIsHonoured() throws PosixException, IOException {
        Path dir = folder.newFolder("work dir").toPath().toRealPath();
        Child child = Child.run(posix, SpawnSpec.of("pwd").withCwd(dir));
        assertEquals(dir + "\n", child.out());
    }

    @Test
    public void theEnvironmentIsReplacedWhole() throws PosixException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LOOPKIT_A", "1");
        env.put("LOOPKIT_B", "two words");
        Child child = Child.run(posix, SpawnSpec.of("/usr/bin/env").withEnv(env));
        assertEquals("LOOPKIT_A=1\nLOOPKIT_B=two words\n", child.out());
    }

    @Test
    public void withoutAnEnvironmentTheParentsIsInherited() throws PosixException {
        Child child = Child.run(posix, SpawnSpec.of("sh", "-c", "echo \"$PATH\""));
        assertEquals(System.getenv("PATH") + "\n", child.out());
    }

    @Test
    public void theChildKeepsOnlyItsStandardStreams() throws PosixException {
        // ls lists its own directory fd (3) too
        Child child = Child.run(posix, SpawnSpec.of("ls", "/proc/self/fd"));
        assertEquals(List.of("0", "1", "2", "3"), child.out().lines().toList());
    }

    @Test
    public void withoutClosingTheJvmsDescriptorsLeakIntoTheChild() throws PosixException {
        Child child = Child.run(posix, SpawnSpec.of("ls", "/proc/self/fd").withCloseOtherFds(false));
        assertTrue(child.out(), child.out().lines().count() > 4);
    }

    @Test
    public void aNewProcessGroupIsLedByTheChild() throws PosixException, IOException {
        RunningChild own = startCat(SpawnSpec.of("cat").withNewProcessGroup(true));
        RunningChild shared = startCat();
        try {
            assertEquals(own.pid(), statField(own.pid(), 5));
            assertEquals(statField(posix.getpid(), 5), statField(shared.pid(), 5));
        } finally {
            assertEquals(0, own.finish());
            assertEquals(0, shared.finish());
        }
    }

    @Test
    public void aNewSessionIsLedByTheChild() throws PosixException, IOException {
        RunningChild child = startCat(SpawnSpec.of("cat").withNewSession(true));
        try {
            assertEquals(child.pid(), statField(child.pid(), 5)); // setsid makes a process group too
            assertEquals(child.pid(), statField(child.pid(), 6));
        } finally {
            assertEquals(0, child.finish());
        }
    }

    @Test
    public void theChildStartsWithNoBlockedOrIgnoredSignal() throws PosixException, IOException {
        // the JVM blocks SIGQUIT in its threads (its signal dispatcher takes it); make it ignore one too
        assertNotEquals("this thread blocks no signal", "0000000000000000", signalMask(Path.of("/proc/thread-self/status"), "SigBlk"));
        SignalHandler previous = Signal.handle(new Signal("HUP"), SignalHandler.SIG_IGN);
        try {
            SpawnSpec grep = SpawnSpec.of("grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status");
            Child inheriting = Child.run(posix, grep.withResetSignals(false));
            assertTrue(inheriting.out(), hasSignal(inheriting.out(), "SigBlk", Posix.signal("SIGQUIT")));
            assertTrue(inheriting.out(), hasSignal(inheriting.out(), "SigIgn", Posix.signal("SIGHUP")));

            Child reset = Child.run(posix, grep);
            assertEquals("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n", reset.out());
        } finally {
            Signal.handle(new Signal("HUP"), previous);
        }
    }

    /** Field {@code n} (1-based, as proc(5) counts) of /proc/pid/stat: 5 is the process group, 6 the session. */
    private static long statField(long pid, int n) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(afterName[n - 3]);
    }

    private static boolean hasSignal(String status, String field, int signal) {
        String mask = status.lines().filter(line -> line.startsWith(field + ":")).findFirst().orElseThrow();
        return (Long.parseUnsignedLong(mask.substring(field.length() + 1).trim(), 16) & (1L << (signal - 1))) != 0;
    }

    private static String signalMask(Path status, String field) throws IOException {
        return Files.readAllLines(status).stream().filter(line -> line.startsWith(field + ":"))
                .map(line -> line.substring(field.length() + 1).trim()).findFirst().orElseThrow();
    }

    /**
     * A failure of the spawn's own steps is not about the program: Python's
     * {@code subprocess.run(['true'], stdout=999)} raises {@code OSError(9, 'Bad file descriptor')}
     * with no file name. Before, it said "Bad file descriptor: 'true'".
     */
    @Test
    public void aRedirectFromADescriptorThatIsNotOpenDoesNotBlameTheProgram() {
        PosixException refused = assertThrows(PosixException.class,
                () -> posix.spawn(SpawnSpec.of("true").withStdout(Redirect.fd(999))));
        assertEquals(9, refused.errno());
        assertEquals("Bad file descriptor", refused.getMessage());
        assertEquals(0, ProcessHandle.current().children().count());
    }

    /**
     * Python looks a program name up in the {@code PATH} of the environment it is given
     * ({@code os.get_exec_path(env)}), not its own. Before, {@code posix_spawnp} searched the JVM's, and
     * a program only on the given PATH was not found.
     */
    @Test
    public void theProgramIsLookedUpInThePathOfTheGivenEnvironment() throws Exception {
        Path dir = folder.newFolder("only here").toPath();
        Path script = dir.resolve("loopkit-only-here");
        Files.writeString(script, "#!/bin/sh\necho found\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path other = folder.newFolder("first on the path").toPath();
        Child child = Child.run(posix, SpawnSpec.of("loopkit-only-here").withEnv(java.util.Map.of("PATH", other + ":" + dir)));
        assertEquals("found\n", child.out());
        assertEquals(0, child.returncode());
        PosixException missing = assertThrows(PosixException.class,
                () -> posix.spawn(SpawnSpec.of("loopkit-only-here").withEnv(java.util.Map.of("PATH", other.toString()))));
        assertEquals("No such file or directory: 'loopkit-only-here'", missing.getMessage());
    }

    /**
     * Python tries each directory of the given {@code PATH} with {@code execve} inside one child. Here each
     * was a {@code posix_spawn} of its own: a process made and ended for every directory without the
     * program, which a fast watcher sweeping with {@code waitpid(-1)} on another loop reaped and warned
     * about as an unknown pid (an outside review). Only a directory that holds the program costs a child
     * now. Seen in the pids the kernel gave out: the child after such a spawn comes two numbers after the
     * one before it, not thirty-two (three tries, in case other processes took numbers meanwhile).
     */
    @Test
    public void directoriesWithoutTheProgramCostNoProcess() throws Exception {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            path.append(folder.getRoot()).append("/missing-").append(i).append(':');
        }
        path.append("/usr/bin:/bin");
        List<Long> spans = new ArrayList<>();
        for (int attempt = 0; attempt < 3; attempt++) {
            long before = spawnAndReap(SpawnSpec.of("/bin/true"));
            spawnAndReap(SpawnSpec.of("true").withEnv(java.util.Map.of("PATH", path.toString())));
            long after = spawnAndReap(SpawnSpec.of("/bin/true"));
            spans.add(after - before);
            if (after - before > 0 && after - before < 20) {
                return;
            }
        }
        fail("pids given out around a spawn that looked in 30 directories without the program: " + spans);
    }

    private long spawnAndReap(SpawnSpec spec) throws PosixException {
        long pid = posix.spawn(spec);
        assertEquals(0, posix.waitpid(pid, false).returncode());
        return pid;
    }
}
