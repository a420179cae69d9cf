package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.posix.Posix;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Which threads a loop needs to run children with the pidfd watcher: the selector loop watches the
 * pidfd and the child's pipes through a poller thread (a java.nio Selector cannot watch a raw
 * descriptor), the epoll loop in its own epoll set, on its own thread only. Both give back their
 * threads and descriptors when they close.
 */
public class LoopThreadsWithChildrenTest {

    private static final String POLLER = "loopkit-fdpoller-";

    private Map<Integer, String> fdsBefore;
    private List<String> pollersBefore;

    @Before
    public void needsPidfds() {
        Posix posix = Posix.get();
        assumeTrue("no pidfds here: " + posix.pidfdUnsupportedReason(), posix.pidfdSupported());
        fdsBefore = Leaks.openFds();
        pollersBefore = Leaks.threads(POLLER);
    }

    @After
    public void noPolicy() {
        Asyncio.setChildWatcher(null);
        Asyncio.setEventLoopPolicy(null);
    }

    /** Runs a child with three pipes on {@code loop} under the pidfd watcher; the poller threads of the loop meanwhile. */
    private List<String> pollersWhileRunningAChild(BaseEventLoop loop) {
        PidfdChildWatcher watcher = new PidfdChildWatcher();
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        policy.setChildWatcher(watcher);
        Asyncio.setEventLoopPolicy(policy);
        watcher.attachLoop(loop);
        SubprocessOptions piped = SubprocessOptions.defaults().withStdin(Redirect.PIPE)
                .withStdout(Redirect.PIPE).withStderr(Redirect.PIPE);
        Subprocess child = Watchers.runOn(loop, () -> Subprocesses.createSubprocessExec(
                loop, List.of("/bin/sh", "-c", "cat; echo done >&2"), piped, 64 * 1024));
        byte[] out = Watchers.runOn(loop, () -> child.communicate("hello".getBytes(StandardCharsets.UTF_8))
                .thenApply(Subprocess.Output::stdout));
        assertEquals("hello", new String(out, StandardCharsets.UTF_8));
        assertEquals(Integer.valueOf(0), Watchers.runOn(loop, child::waitFor));
        List<String> pollers = Leaks.threads(POLLER + loop.id());
        Asyncio.setChildWatcher(null);
        loop.close();
        assertTrue("poller threads left: " + Leaks.threads(POLLER),
                Leaks.await(() -> Leaks.threads(POLLER).equals(pollersBefore), 10));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
        return pollers;
    }

    @Test
    public void theSelectorLoopWatchesChildrenThroughAPollerThread() {
        BaseEventLoop loop = new SelectorEventLoop();
        assertEquals(List.of(POLLER + loop.id()), pollersWhileRunningAChild(loop));
    }

    @Test
    public void theEpollLoopWatchesChildrenOnItsOwnThread() {
        BaseEventLoop loop = new EpollEventLoop();
        assertEquals(List.of(), pollersWhileRunningAChild(loop));
    }
}
