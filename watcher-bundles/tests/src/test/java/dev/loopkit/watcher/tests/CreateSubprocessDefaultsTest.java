package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * asyncio's {@code create_subprocess_exec(*args)} and {@code create_subprocess_shell(cmd)} leave the
 * child's standard streams to the parent's ({@code stdin=stdout=stderr=None}); only the loop's
 * {@code subprocess_exec} pipes all three by default. Loopkit's short forms piped them: output nobody
 * read filled the pipes and the child, and its wait, hung for ever (an outside review, porting CPython's
 * test_subprocess). The child here checks its own descriptors against the JVM's, saying nothing.
 */
@RunWith(Parameterized.class)
public class CreateSubprocessDefaultsTest {

    @Parameters(name = "{0} loop")
    public static List<Object[]> loops() {
        return Watchers.everyLoop();
    }

    /** Exits 0 when the child's fd N is the JVM's fd N for 0, 1 and 2; else the first that differs, plus 10. */
    private static final String SAME_STREAMS_AS_THE_JVM = "for n in 0 1 2; do [ /proc/self/fd/$n -ef /proc/"
            + ProcessHandle.current().pid() + "/fd/$n ] || exit $((n + 10)); done; exit 0";

    private final Watchers.Loop loopKind;
    private BaseEventLoop loop;

    public CreateSubprocessDefaultsTest(Watchers.Loop loopKind) {
        this.loopKind = loopKind;
    }

    @Before
    public void setUp() {
        loop = Watchers.loopWithTheDefaultWatcher(loopKind);
    }

    @After
    public void tearDown() {
        Watchers.resetAndClose(loop);
    }

    @Test
    public void theShellFormLeavesTheChildTheParentsStreams() {
        // runOn: on the running loop, as the short forms take it
        Subprocess child = Watchers.runOn(loop, () -> Subprocesses.createSubprocessShell(SAME_STREAMS_AS_THE_JVM));
        assertNoStreams(child);
        assertEquals(Integer.valueOf(0), Watchers.runOn(loop, child::waitFor));
    }

    @Test
    public void theExecFormLeavesTheChildTheParentsStreams() {
        Subprocess child = Watchers.runOn(loop, () -> Subprocesses.createSubprocessExec("/bin/sh", "-c", SAME_STREAMS_AS_THE_JVM));
        assertNoStreams(child);
        assertEquals(Integer.valueOf(0), Watchers.runOn(loop, child::waitFor));
    }

    private static void assertNoStreams(Subprocess child) {
        assertNull("stdin, as asyncio's proc.stdin is None", child.stdin());
        assertNull("stdout", child.stdout());
        assertNull("stderr", child.stderr());
    }
}
