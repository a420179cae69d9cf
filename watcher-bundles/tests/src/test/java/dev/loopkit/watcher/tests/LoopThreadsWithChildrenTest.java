package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.CollectingProtocol;
import dev.loopkit.loop.testing.EchoProtocol;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.posix.Posix;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
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
        return pollersWhileRunningAChild(loop, () -> { }, () -> { });
    }

    /**
     * {@link #pollersWhileRunningAChild(BaseEventLoop)}, running {@code meanwhile} on the loop while
     * the child runs and {@code before} on this thread before the loop closes.
     */
    private List<String> pollersWhileRunningAChild(BaseEventLoop loop, Runnable meanwhile, Runnable beforeClosing) {
        PidfdChildWatcher watcher = new PidfdChildWatcher();
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        policy.setChildWatcher(watcher);
        Asyncio.setEventLoopPolicy(policy);
        watcher.attachLoop(loop);
        SubprocessOptions piped = SubprocessOptions.defaults().withStdin(Redirect.PIPE)
                .withStdout(Redirect.PIPE).withStderr(Redirect.PIPE);
        Subprocess child = Watchers.runOn(loop, () -> Subprocesses.createSubprocessExec(
                loop, List.of("/bin/sh", "-c", "cat; echo done >&2"), piped, 64 * 1024));
        loop.callSoon(meanwhile);
        byte[] out = Watchers.runOn(loop, () -> child.communicate("hello".getBytes(StandardCharsets.UTF_8))
                .thenApply(Subprocess.Output::stdout));
        assertEquals("hello", new String(out, StandardCharsets.UTF_8));
        assertEquals(Integer.valueOf(0), Watchers.runOn(loop, child::waitFor));
        List<String> pollers = Leaks.threads(POLLER + loop.id());
        beforeClosing.run();
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

    /**
     * The epoll loop serves a TCP connection (server and client both on the loop) while it runs a
     * child under the pidfd watcher: its sockets, the child's pipes and pidfd are all in its one
     * epoll set, so {@code loop:loops} (the loop's {@link LoopStats}) names one thread, the one that
     * runs it, and no thread of the loop's own (poller, channel helper, executor) exists meanwhile.
     */
    @Test
    public void theEpollLoopRunsChildrenAndServesASocketOnOneThread() throws Exception {
        EpollEventLoop loop = new EpollEventLoop();
        Server server = Watchers.runOn(loop, () -> loop.createServer(EchoProtocol::new, "127.0.0.1", 0));
        int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
        byte[] ping = "ping while the child runs".getBytes(StandardCharsets.US_ASCII);
        CollectingProtocol client = new CollectingProtocol(ping.length, false);
        Transport transport = Watchers.runOn(loop, () -> loop.createConnection(() -> client, "127.0.0.1", port)).transport();
        List<Object> duringTheChild = new ArrayList<>();
        List<String> pollers = pollersWhileRunningAChild(loop, () -> {
            transport.write(ping);
            duringTheChild.add(loop.stats());
            duringTheChild.add(threadsOfTheLoop(loop));
        }, () -> Watchers.runOn(loop, () -> client.all));
        assertEquals(List.of(), pollers);
        LoopStats stats = (LoopStats) duringTheChild.get(0);
        assertEquals("the thread that runs the loop", Thread.currentThread().getName(), stats.thread());
        assertTrue("the server, the client, the accepted socket, the pidfd and pipes are watched: " + stats,
                stats.fds() >= 4);
        assertEquals("threads of the loop's own", List.of(), duringTheChild.get(1));
    }

    private static List<String> threadsOfTheLoop(BaseEventLoop loop) {
        Pattern ofTheLoop = Pattern.compile("loopkit-[a-z-]+-" + loop.id() + "(-\\d+)?");
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> ofTheLoop.matcher(name).matches()).sorted().toList();
    }

    @Test
    public void theEpollLoopWatchesChildrenOnItsOwnThread() {
        BaseEventLoop loop = new EpollEventLoop();
        assertEquals(List.of(), pollersWhileRunningAChild(loop));
    }
}
