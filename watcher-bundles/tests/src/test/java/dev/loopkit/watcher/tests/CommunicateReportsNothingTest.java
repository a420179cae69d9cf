package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.UnretrievedReports;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import java.lang.ref.WeakReference;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * {@code communicate()} with more input than a child that exits at once reads: the return code comes, and
 * the broken pipe of the stdin it never read is not reported as "Future exception was never retrieved"
 * once the child's objects are dropped (asyncio's {@code _feed_stdin} ignores it). A review found the
 * drain of that stdin reported on every loop.
 */
@RunWith(Parameterized.class)
public class CommunicateReportsNothingTest {

    @Parameters(name = "{0} loop")
    public static List<Object[]> loops() {
        return Watchers.everyLoop();
    }

    private final Watchers.Loop loopKind;
    private BaseEventLoop loop;

    public CommunicateReportsNothingTest(Watchers.Loop loopKind) {
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
    public void theStdinAChildNeverReadIsNotReportedNeverRetrieved() throws Exception {
        UnretrievedReports reports = UnretrievedReports.of(loop);
        reports.assertNoneOnceCollected(communicateWithAChildThatExitsAtOnce(reports));
    }

    private WeakReference<Object> communicateWithAChildThatExitsAtOnce(UnretrievedReports reports) {
        SubprocessOptions options = SubprocessOptions.defaults().withStdin(Redirect.PIPE)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        Subprocess child = loop.runUntilComplete(
                Subprocesses.createSubprocessExec(loop, List.of("/bin/sh", "-c", "exit 3"), options, 1024));
        loop.runUntilComplete(child.communicate(new byte[1 << 20]));
        assertEquals(Integer.valueOf(3), child.returncode());
        return reports.track(child);
    }
}
