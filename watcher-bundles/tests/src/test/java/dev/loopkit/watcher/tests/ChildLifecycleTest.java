package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * A child outlives the loop that spawned it, on every watcher and loop: its exit is still reaped,
 * exactly once, by the watcher, which says so with asyncio's words ("Loop %r that handles pid %r is
 * closed"); nothing stays behind: no zombie, no pidfd, no entry in {@code children()}. The watcher
 * is attached to a main loop that runs on a thread of its own (the safe and fast watchers reap
 * through it), as the platform bundle's {@code loopkit-main} does.
 */
public class ChildLifecycleTest extends EveryWatcherOnEveryLoop {

    private static final Posix POSIX = Posix.get();
    private static final double HANG_GUARD_SECONDS = 20;
    private static final int SIGTERM = 15;
    private static final String LOOP_IS_CLOSED = "Loop {0} that handles pid {1} is closed";
    private static final SubprocessOptions QUIET = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
            .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);

    private BaseEventLoop mainLoop;
    private Thread mainThread;
    private ChildWatcher watcher;
    /** The loop that spawns the child and closes before it exits. */
    private BaseEventLoop spawning;
    private LogCapture watcherLog;
    private LogCapture loopLog;

    public ChildLifecycleTest(Watchers.Kind kind, Watchers.Loop loopKind) {
        super(kind, loopKind);
    }

    @Before
    public void setUp() {
        mainLoop = loopKind.factory.get();
        mainThread = new Thread(mainLoop::runForever, "lifecycle-main-loop");
        mainThread.start();
        assertTrue(Leaks.await(mainLoop::isRunning, HANG_GUARD_SECONDS));
        watcher = kind.factory.get();
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        policy.setChildWatcher(watcher);
        Asyncio.setEventLoopPolicy(policy);
        watcher.attachLoop(mainLoop);
        spawning = loopKind.factory.get();
        watcherLog = LogCapture.of(watcher.getClass().getName());
        loopLog = LogCapture.of("dev.loopkit.loop");
    }

    @After
    public void tearDown() throws InterruptedException {
        if (mainLoop == null) {
            return; // assumed away: nothing was made
        }
        List<String> watcherMessages = watcherLog.messages();
        watcherLog.close();
        loopLog.close();
        assertEquals("numbers grouped as MessageFormat does ({0} given a long)", List.of(), Watchers.withGroupedNumbers(watcherMessages));
        Asyncio.setChildWatcher(null); // closes it, as asyncio does
        Asyncio.setEventLoopPolicy(null);
        spawning.close();
        mainLoop.stop();
        mainThread.join();
        mainLoop.close();
        assertEquals("children left behind (zombies or running)", List.of(),
                ProcessHandle.current().children().map(ProcessHandle::pid).toList());
        assertTrue("watcher threads left: " + Leaks.threads("loopkit-"), Leaks.await(() -> Stream.of("loopkit-waitpid-",
                "loopkit-pidfd-").allMatch(prefix -> Leaks.threads(prefix).isEmpty()), HANG_GUARD_SECONDS));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    /** Spawns {@code /bin/sleep 60} from the spawning loop, running; returns its pid. */
    private long spawnSleeper() {
        Subprocess sleeper = Watchers.runOn(spawning, () -> Subprocesses.createSubprocessExec(spawning,
                List.of("/bin/sleep", "60"), QUIET, 1024));
        assertTrue(watcher.children().containsKey(sleeper.pid()));
        return sleeper.pid();
    }

    @Test
    public void theLoopClosesBeforeItsChildExits() throws PosixException {
        long pidfdsBefore = Watchers.openPidfds();
        long eventfdsBefore = Watchers.openOfKind("[eventfd]");
        long pid = spawnSleeper();
        spawning.close();
        POSIX.kill(pid, SIGTERM);

        assertTrue("no \"Loop ... that handles pid " + pid + " is closed\" warning: " + warnings(),
                Leaks.await(() -> !closedLoopWarnings(pid).isEmpty(), HANG_GUARD_SECONDS));
        assertReapedOnceAndForgotten(pid, pidfdsBefore);
        assertTrue("the watcher, living on, keeps no descriptor for the child it had",
                Leaks.await(() -> Watchers.openOfKind("[eventfd]") <= eventfdsBefore, HANG_GUARD_SECONDS));
        assertEquals("one warning, and no other (an exit reaped twice would say 255)",
                closedLoopWarnings(pid), warnings());
        if (!kind.sigchldThroughLoop()) { // safe and fast call the transport's handler, which warns for its loop
            assertEquals("the pid in plain digits", List.of("WARNING Loop " + spawning + " that handles pid " + pid + " is closed"),
                    watcherLog.messages());
        }
    }

    @Test
    public void theExitArrivesWhileTheLoopIsStoppedAndTheLoopThenCloses() throws PosixException {
        long pidfdsBefore = Watchers.openPidfds();
        long pid = spawnSleeper();
        POSIX.kill(pid, SIGTERM);
        awaitExit(pid); // the exit is there; whether a watcher has already passed it on is a race, either way counts
        spawning.close();

        assertReapedOnceAndForgotten(pid, pidfdsBefore);
        List<LogRecord> warnings = warnings();
        assertTrue("at most asyncio's one warning: " + warnings, warnings.equals(closedLoopWarnings(pid)) && warnings.size() <= 1);
        if (kind == Watchers.Kind.PIDFD) {
            // the loop never ran the reader that would have reaped it: the watcher reaps it and says so
            assertEquals(1, warnings.size());
        }
    }

    /**
     * A switch hands children over on its own thread, outside any loop, so the pidfd watcher reads
     * their pidfds on its attached loop (the main loop), while their handlers deliver to the loop that
     * spawned them. When the main loop goes (its bundle stopping), that is no reason to drop the exit:
     * the spawning loop still runs and waits for it.
     */
    @Test
    public void aChildHandedOverOutsideAnyLoopStillReachesItsLoopWhenTheAttachedLoopCloses() throws Exception {
        Assume.assumeTrue("the pidfd watcher reads pidfds on the attached loop", kind == Watchers.Kind.PIDFD);
        Subprocess sleeper = Watchers.runOn(spawning, () -> Subprocesses.createSubprocessExec(spawning,
                List.of("/bin/sleep", "60"), QUIET, 1024));
        ChildWatcher next = kind.factory.get();
        try {
            next.attachLoop(mainLoop);
            watcher.handOverChildren(next); // on this thread, as a switch does
            mainLoop.stop();
            mainThread.join();
            mainLoop.close();
            POSIX.kill(sleeper.pid(), SIGTERM);
            assertEquals("the exit reached the spawning loop", Integer.valueOf(-SIGTERM),
                    Watchers.runOn(spawning, sleeper::waitFor));
            assertEquals("no warning: the exit was delivered", List.of(), warnings());
        } finally {
            next.close();
        }
    }

    // Blocks until the child exited, leaving it to reap (WNOWAIT); a watcher may have reaped it meanwhile.
    private static void awaitExit(long pid) throws PosixException {
        try {
            POSIX.waitid(pid, false, true);
        } catch (PosixException e) {
            assertEquals("ECHILD", e.errnoName());
        }
    }

    private void assertReapedOnceAndForgotten(long pid, long pidfdsBefore) {
        assertTrue("still a zombie, or still held: children() = " + watcher.children().keySet(),
                Leaks.await(() -> !watcher.children().containsKey(pid) && nothingToReap(pid), HANG_GUARD_SECONDS));
        assertTrue("pidfds left open: " + Watchers.openPidfds() + ", before " + pidfdsBefore,
                Leaks.await(() -> Watchers.openPidfds() == pidfdsBefore, HANG_GUARD_SECONDS));
        assertFalse("the pid is still listed", watcher.children().containsKey(pid));
    }

    // waitid(WNOHANG | WNOWAIT): ECHILD once nobody is left to reap; a zombie would be reported.
    private static boolean nothingToReap(long pid) {
        try {
            POSIX.waitid(pid, true, true); // null: still running; a status: a zombie
            return false;
        } catch (PosixException e) {
            return "ECHILD".equals(e.errnoName());
        }
    }

    private List<LogRecord> closedLoopWarnings(long pid) {
        return warnings().stream().filter(r -> LOOP_IS_CLOSED.equals(r.getMessage())
                && r.getParameters()[0] == spawning && String.valueOf(r.getParameters()[1]).equals(Long.toString(pid))).toList();
    }

    private List<LogRecord> warnings() {
        return Stream.concat(watcherLog.records().stream(), loopLog.records().stream())
                .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    }
}
