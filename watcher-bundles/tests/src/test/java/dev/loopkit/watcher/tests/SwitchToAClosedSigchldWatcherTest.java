package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.posix.Posix;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Test;

/**
 * A switch to a closed safe or fast watcher on the main loop: the switch attaches it, so it works
 * again and takes the old watcher's children, whose exits come. Once closed tables refused children,
 * the child went back to the old watcher, which the new one had displaced from the loop's one SIGCHLD
 * handler: the exit never came (a second review).
 */
public class SwitchToAClosedSigchldWatcherTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    private void check(ChildWatcher old, Supplier<ChildWatcher> newOne) throws Exception {
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy());
        BaseEventLoop loop = new SelectorEventLoop();
        cleanup.add(loop::close);
        cleanup.add(() -> Asyncio.setEventLoop(null));
        Asyncio.setEventLoop(loop); // main context
        Asyncio.setChildWatcher(old);
        cleanup.add(old::close);
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        Recording recording = new Recording();
        long pid = Watchers.runOn(loop, () -> loop.subprocessExec(() -> recording,
                List.of("/bin/sh", "-c", "sleep 0.5; exit 5"), quiet)).getPid();
        ChildWatcher closed = newOne.get();
        closed.close();
        cleanup.add(closed::close);
        try (LogCapture log = LogCapture.of("dev.loopkit")) {
            Asyncio.setChildWatcher(closed);
            Object got;
            try {
                got = Watchers.runOn(loop, () -> recording.exited.orTimeout(5, TimeUnit.SECONDS));
            } catch (RuntimeException e) {
                got = e;
            }
            String where = "old " + old + " active " + old.isActive() + " (" + old.inactiveReason() + "), new " + closed
                    + ", orphans " + ProcessWide.get().watcherSwitch().orphans().keySet() + ", log " + log.messages();
            if (!(got instanceof Integer)) {
                try {
                    Posix.get().waitpid(pid, false);
                } catch (Exception ignored) {
                    // reaped after all
                }
            }
            assertEquals("pid " + pid + ": " + where, 5, got);
        }
    }

    @Test
    public void safeToClosedSafe() throws Exception {
        check(new SafeChildWatcher(), SafeChildWatcher::new);
    }

    @Test
    public void fastToClosedSafe() throws Exception {
        check(new FastChildWatcher(), SafeChildWatcher::new);
    }

    @Test
    public void safeToClosedFast() throws Exception {
        check(new SafeChildWatcher(), FastChildWatcher::new);
    }
}
