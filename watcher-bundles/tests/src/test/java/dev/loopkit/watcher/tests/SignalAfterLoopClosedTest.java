package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Test;

/**
 * A subprocess transport whose loop closed has no pidfd any more: the pidfd went with the loop's
 * resources. Its child may exit and be reaped by the watcher, and its pid be given to another process.
 * {@code kill()} then must not signal that process. Python's {@code Popen.send_signal} polls first and
 * does nothing for a child that was reaped; before, the transport sent the signal to the pid.
 */
public class SignalAfterLoopClosedTest {

    private static final Path LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");
    private static final SubprocessOptions QUIET = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
            .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void tearDown() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void killAfterTheLoopClosedAndTheChildWasReapedSignalsNoStranger() throws Exception {
        assumeTrue("needs root: the test gives the child's pid to another process through " + LAST_PID,
                Files.isWritable(LAST_PID));
        BaseEventLoop loop = Watchers.loopWith(new ThreadedChildWatcher(), cleanup);
        SubprocessTransport transport = Watchers.runOn(loop, () -> loop.subprocessExec(() -> new SubprocessProtocol() { },
                List.of("/bin/sleep", "0.2"), QUIET));
        long pid = transport.getPid();
        loop.close(); // the child runs on; the transport's pidfd is closed
        assertTrue("the watcher reaped pid " + pid, Leaks.await(() -> !Files.exists(Path.of("/proc/" + pid)), 10));

        long stranger = strangerWithPid(pid);
        try {
            assumeTrue("other processes took pid " + pid + " first, 20 times (last try: " + stranger + ")", stranger == pid);
            transport.kill();
            Thread.sleep(200);
            assertTrue("the stranger with pid " + pid + " was killed", running(stranger));
        } finally {
            Posix.get().kill(stranger, 9);
        }
    }

    /**
     * A process that is not our child, with {@code pid} if it can be had: sh sets the last pid given
     * out to {@code pid - 1} right before it starts a background sleep, and exits. Other processes and
     * the JVM's own threads may take the pid first: tried 20 times.
     */
    private static long strangerWithPid(long pid) throws Exception {
        Path said = Files.createTempFile("stranger", ".pid");
        try {
            long stranger = -1;
            for (int attempt = 0; attempt < 20 && stranger != pid; attempt++) {
                if (stranger > 0) {
                    Posix.get().kill(stranger, 9);
                }
                long sh = Posix.get().spawn(SpawnSpec.of("/bin/sh", "-c", "echo " + (pid - 1) + " > " + LAST_PID
                        + "; /bin/sleep 30 </dev/null >/dev/null 2>&1 & echo $! > " + said));
                Posix.get().waitpid(sh, false);
                stranger = Long.parseLong(Files.readString(said).trim());
            }
            return stranger;
        } finally {
            Files.delete(said);
        }
    }

    // Not a zombie: a killed process whose parent has not reaped it yet still has its /proc entry.
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException gone) {
            return false;
        }
    }
}
