package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Assume;
import org.junit.Test;

/** posix_spawn of real programs and their return codes through each kind of wait. */
public class SpawnAndWaitTest extends PosixTestSupport {

    /** argv and the return code asyncio gives it. */
    private static final Map<List<String>, Integer> RETURNCODES = new LinkedHashMap<>();

    static {
        RETURNCODES.put(List.of("/bin/true"), 0);
        RETURNCODES.put(List.of("/bin/false"), 1);
        RETURNCODES.put(List.of("sh", "-c", "exit 7"), 7);
        RETURNCODES.put(List.of("sh", "-c", "kill -9 $$"), -9);
    }

    @FunctionalInterface
    private interface Wait {
        WaitStatus reap(long pid) throws PosixException;
    }

    private static void assertReturncodes(Wait wait) throws PosixException {
        for (Map.Entry<List<String>, Integer> expected : RETURNCODES.entrySet()) {
            long pid = posix.spawn(SpawnSpec.of(expected.getKey()));
            assertEquals(expected.getKey().toString(), new WaitStatus(pid, expected.getValue()), wait.reap(pid));
        }
    }

    @Test
    public void waitpidGivesAsyncioReturncodes() throws PosixException {
        assertReturncodes(pid -> posix.waitpid(pid, false));
    }

    @Test
    public void waitidGivesAsyncioReturncodes() throws PosixException {
        assertReturncodes(pid -> posix.waitid(pid, false, false));
    }

    @Test
    public void waitidOnAPidfdGivesAsyncioReturncodes() throws PosixException {
        Assume.assumeTrue(posix.pidfdUnsupportedReason(), posix.pidfdSupported());
        assertReturncodes(pid -> {
            int pidfd = posix.pidfdOpen(pid);
            try {
                return posix.waitidPidfd(pidfd, false, false);
            } finally {
                posix.close(pidfd);
            }
        });
    }

    @Test
    public void waitpidAnyReapsAnyChild() throws PosixException {
        long pid = posix.spawn(SpawnSpec.of("sh", "-c", "exit 3"));
        assertEquals(new WaitStatus(pid, 3), posix.waitpidAny(false));
    }

    @Test
    public void aMissingProgramIsFileNotFoundAndNothingIsSpawned() {
        try {
            posix.spawn(SpawnSpec.of("nosuchprog", "arg"));
            fail("spawned nosuchprog");
        } catch (PosixException e) {
            assertErrno("ENOENT", e);
            assertEquals(2, e.errno());
            assertEquals("No such file or directory: 'nosuchprog'", e.getMessage());
        }
        assertNoChildren();
    }

    /**
     * A new process group and a new session at once: the child, a group leader, may not start a
     * session (setsid: EPERM), before any exec. Python names no file there; the message named the
     * program, which read as if it could not be run (an outside review).
     */
    @Test
    public void aFailureBeforeExecNamesNoProgram() {
        try {
            posix.spawn(SpawnSpec.of("sh", "-c", "exit 0").withNewProcessGroup(true).withNewSession(true));
            fail("spawned");
        } catch (PosixException e) {
            assertErrno("EPERM", e);
            assertEquals("Operation not permitted", e.getMessage());
        }
        assertNoChildren();
    }

    @Test
    public void withoutPathSearchTheProgramIsAPath() throws PosixException {
        try {
            posix.spawn(SpawnSpec.of("true").withSearchPath(false));
            fail("spawned ./true");
        } catch (PosixException e) {
            assertEquals("No such file or directory: 'true'", e.getMessage());
        }
        long pid = posix.spawn(SpawnSpec.of("anything").withProgram("/bin/true").withSearchPath(false));
        assertEquals(0, posix.waitpid(pid, false).returncode());
    }

    @Test
    public void aMissingWorkingDirectoryIsNamedAsPythonDoes() {
        Path missing = Path.of("/nonexistent-loopkit-dir");
        try {
            posix.spawn(SpawnSpec.of("/bin/true").withCwd(missing));
            fail("spawned in " + missing);
        } catch (PosixException e) {
            assertErrno("ENOENT", e);
            assertEquals("No such file or directory: '/nonexistent-loopkit-dir'", e.getMessage());
        }
        assertNoChildren();
    }

    @Test
    public void waitidWithNoWaitPeeksWithoutReaping() throws PosixException {
        long pid = posix.spawn(SpawnSpec.of("/bin/false"));
        assertEquals(new WaitStatus(pid, 1), posix.waitid(pid, false, true));
        assertEquals(new WaitStatus(pid, 1), posix.waitid(pid, true, true));
        assertEquals(new WaitStatus(pid, 1), posix.waitpid(pid, false));
        try {
            posix.waitpid(pid, false);
            fail("reaped twice");
        } catch (PosixException e) {
            assertErrno("ECHILD", e);
        }
    }

    @Test
    public void noHangWaitsGiveNullWhileTheChildRuns() throws PosixException {
        RunningChild cat = startCat();
        assertNull(posix.waitpid(cat.pid(), true));
        assertNull(posix.waitid(cat.pid(), true, false));
        assertNull(posix.waitid(cat.pid(), true, true));
        assertNull(posix.waitpidAny(true));
        assertEquals(0, cat.finish());
    }

    @Test
    public void waitpidOfNoChildIsEchild() throws PosixException {
        try {
            posix.waitpid(1, true);
            fail("init is no child of ours");
        } catch (PosixException e) {
            assertErrno("ECHILD", e);
            assertTrue(e.getMessage(), e.getMessage().startsWith("No child processes"));
        }
    }

    @Test
    public void pidfdOfAReapedProcessIsEsrch() throws PosixException {
        Assume.assumeTrue(posix.pidfdUnsupportedReason(), posix.pidfdSupported());
        long pid = posix.spawn(SpawnSpec.of("/bin/true"));
        posix.waitpid(pid, false);
        try {
            posix.close(posix.pidfdOpen(pid));
            fail("pidfd of a reaped pid");
        } catch (PosixException e) {
            assertErrno("ESRCH", e);
        }
    }

    @Test
    public void killDeliversTheSignal() throws PosixException {
        RunningChild cat = startCat();
        posix.kill(cat.pid(), Posix.signal("SIGTERM"));
        assertEquals(new WaitStatus(cat.pid(), -15), posix.waitpid(cat.pid(), false));
        posix.close(cat.stdin());
    }

    @Test
    public void pidfdSendSignalDeliversTheSignalAndAReapedProcessIsEsrch() throws PosixException {
        Assume.assumeTrue(posix.pidfdUnsupportedReason(), posix.pidfdSupported());
        RunningChild cat = startCat();
        int pidfd = posix.pidfdOpen(cat.pid());
        try {
            posix.pidfdSendSignal(pidfd, Posix.signal("SIGKILL"));
            assertEquals(new WaitStatus(cat.pid(), -9), posix.waitidPidfd(pidfd, false, false));
            try {
                posix.pidfdSendSignal(pidfd, Posix.signal("SIGKILL"));
                fail("signalled a reaped process");
            } catch (PosixException e) {
                assertErrno("ESRCH", e);
            }
        } finally {
            posix.close(pidfd);
            posix.close(cat.stdin());
        }
    }

    @Test
    public void pidfdIsReadableWhenTheChildExits() throws PosixException {
        Assume.assumeTrue(posix.pidfdUnsupportedReason(), posix.pidfdSupported());
        RunningChild cat = startCat();
        int pidfd = posix.pidfdOpen(cat.pid());
        try (Epoll epoll = posix.epoll(4)) {
            epoll.add(pidfd, Epoll.IN);
            assertEquals("still running", 0, epoll.await(0));
            posix.close(cat.stdin());
            assertEquals(1, epoll.await(10_000));
            assertEquals(pidfd, epoll.readyFd(0));
            assertTrue(Integer.toHexString(epoll.readyEvents(0)), (epoll.readyEvents(0) & Epoll.IN) != 0);
            assertEquals(new WaitStatus(cat.pid(), 0), posix.waitidPidfd(pidfd, true, false));
        } finally {
            posix.close(pidfd);
        }
    }

    @Test
    public void getpidIsThisProcess() {
        assertEquals(ProcessHandle.current().pid(), posix.getpid());
    }

    /** Nothing left to reap: this test JVM has no other children. */
    private static void assertNoChildren() {
        try {
            WaitStatus leftover = posix.waitpidAny(true);
            fail("a child was spawned: " + leftover);
        } catch (PosixException e) {
            assertErrno("ECHILD", e);
        }
    }
}
