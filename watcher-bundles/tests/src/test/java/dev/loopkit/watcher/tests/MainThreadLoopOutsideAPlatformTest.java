package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static dev.loopkit.watcher.tests.LoopWork.await;
import static dev.loopkit.watcher.tests.LoopWork.on;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Outside a platform (the class path, the module path) nobody designates a main loop: the program
 * calls {@code setEventLoop} in its main thread and runs the loop there, as an asyncio script does.
 * asyncio's policy attaches its watcher to the loop {@code set_event_loop} got in the main thread, so
 * a SIGCHLD watcher chosen after that call must be attached to that loop. Attached to none, the safe
 * watcher never sweeps: the child's exit never comes and the child stays a zombie.
 */
public class MainThreadLoopOutsideAPlatformTest {

    private static final SubprocessOptions NO_PIPES = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
            .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);

    private final RankedRegistry<ChildWatcher> watchers = ProcessWide.get().childWatchers();
    private final SafeChildWatcher safe = new SafeChildWatcher();
    private final BaseEventLoop loop = new SelectorEventLoop();
    private Thread mainThread;
    private LogCapture log;

    @Before
    public void setUp() {
        log = LoopWork.defaultPolicyAndLog();
    }

    @After
    public void tearDown() throws Exception {
        try {
            watchers.setExplicit(null);
            if (!loop.isClosed()) {
                loop.callSoonThreadsafe(loop::stop);
            }
            if (mainThread != null) {
                mainThread.join(TimeUnit.SECONDS.toMillis(LoopWork.DEADLINE_SECONDS));
            }
            loop.close();
            safe.close();
            ProcessWide.get().mainContext().designate(null);
            Asyncio.setEventLoopPolicy(null);
        } finally {
            log.close();
        }
    }

    @Test
    public void aWatcherChosenAfterSetEventLoopInTheMainThreadDeliversExitsThroughThatLoop() throws Exception {
        mainThread = new Thread(() -> {
            Asyncio.getEventLoopPolicy().setEventLoop(loop);
            loop.runForever();
        }, "program-main");
        // The JVM's main thread, as outside a platform: a main context with no loop designated with it.
        ProcessWide.get().mainContext().designate(mainThread);
        mainThread.start();
        assertTrue(Leaks.await(loop::isRunning, LoopWork.DEADLINE_SECONDS));

        watchers.setExplicit(safe); // chosen after setEventLoop: the switch attaches it to the main thread's loop

        Recording child = new Recording();
        SubprocessTransport transport = on(loop, () -> loop.subprocessExec(() -> child,
                List.of("/bin/sh", "-c", "exit 7"), NO_PIPES).toCompletableFuture());
        long pid = transport.getPid();
        assertEquals("pid " + pid + "'s exit, through the loop set in the main thread", Integer.valueOf(7),
                await(child.exited, "the exit of pid " + pid));
    }

    @Test
    public void setEventLoopNullInTheMainThreadLeavesTheNextWatcherWithoutALoop() throws Exception {
        mainThread = new Thread(() -> {
            Asyncio.getEventLoopPolicy().setEventLoop(loop);
            Asyncio.getEventLoopPolicy().setEventLoop(null); // asyncio's attach_loop(None)
            loop.runForever();
        }, "program-main");
        ProcessWide.get().mainContext().designate(mainThread);
        mainThread.start();
        assertTrue(Leaks.await(loop::isRunning, LoopWork.DEADLINE_SECONDS));

        watchers.setExplicit(safe);

        assertEquals("no loop for the main context after setEventLoop(null)", null,
                ProcessWide.get().mainContext().loop());
    }
}
