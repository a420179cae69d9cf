package dev.loopkit.watcher.tests;

import static dev.loopkit.testsupport.SignalMasks.pendingForTheProcess;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.posix.Posix;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * The watchers that reap on SIGCHLD while another signal comes by the tens of thousands a second (an
 * outside review: SIGUSR1 every 20 µs, with a handler). The JVM's dispatcher serves the lowest-numbered
 * pending signal first and starts a thread for each, so SIGUSR1 (10) kept SIGCHLD (17) waiting for as
 * long as the storm lasted: the child stayed a zombie and its exit never came. asyncio's C handler
 * marks each signal and wakes the loop, and every marked one runs at the next check.
 */
@RunWith(Parameterized.class)
public class SigchldUnderASignalStormTest {

    @Parameters(name = "{0}")
    public static Object[] watchers() {
        return new Object[] {Watchers.Kind.SAFE, Watchers.Kind.FAST, Watchers.Kind.MULTILOOP};
    }

    private static final int SIGUSR1 = Posix.signal("SIGUSR1");

    @Parameterized.Parameter
    public Watchers.Kind kind;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final AtomicBoolean storming = new AtomicBoolean(true);
    private Thread storm;

    @After
    public void tearDown() throws Exception {
        storming.set(false);
        if (storm != null) {
            storm.join(5000);
            // The storm's last kill may still be pending, delivered to no thread yet: once the handler is
            // removed, its default action ends the JVM when it is (a CI run: the test JVM exited 138). The
            // kernel reads the disposition at delivery, so a signal delivered before the removal is ours.
            assertTrue("SIGUSR1 still pending 10 s after the storm ended", Leaks.await(() -> !pendingForTheProcess(SIGUSR1), 10));
        }
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void childrenExitDuringTheStorm() {
        BaseEventLoop loop = Watchers.loopWith(kind.factory.get(), cleanup);
        AtomicInteger handled = new AtomicInteger();
        loop.addSignalHandler(SIGUSR1, handled::incrementAndGet);
        cleanup.add(() -> loop.removeSignalHandler(SIGUSR1));
        Posix posix = Posix.get();
        long self = posix.getpid();
        storm = new Thread(() -> {
            while (storming.get()) {
                try {
                    posix.kill(self, SIGUSR1);
                } catch (Exception e) {
                    return;
                }
                LockSupport.parkNanos(20_000);
            }
        }, "sigusr1-storm");
        storm.start();
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        for (int i = 0; i < 5; i++) {
            Recording recording = new Recording();
            Watchers.runOn(loop, () -> loop.subprocessExec(() -> recording, List.of("/bin/sh", "-c", "exit 7"), quiet));
            int code = Watchers.runOn(loop, () -> recording.exited.orTimeout(10, TimeUnit.SECONDS));
            assertEquals("child " + i, 7, code);
        }
        assertTrue("the storm reached the loop: " + handled.get(), handled.get() > 0);
    }
}
