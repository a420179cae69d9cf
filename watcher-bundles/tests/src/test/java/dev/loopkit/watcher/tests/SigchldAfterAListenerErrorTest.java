package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.signals.ProcessSignals;
import dev.loopkit.signals.SignalNumbers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.After;
import org.junit.Test;

/**
 * SIGCHLD through the signal pipe (an outside review's second look at it): a process-wide SIGCHLD listener (ProcessSignals) that
 * throws an Error once (a failed assert) runs on loopkit-signals, which dies of it; the pipe closes, SIGCHLD
 * goes back to SIG_DFL, and the safe watcher's loop never hears of a child again. Through the JVM's
 * handler (before SIGCHLD went through the pipe) each signal ran on a thread of its own and the next SIGCHLD came as ever.
 */
public class SigchldAfterAListenerErrorTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void tearDown() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void aProcessWideSigchldListenerThrowingAnErrorOnceLeavesTheWatcherItsSigchld() {
        BaseEventLoop loop = Watchers.loopWith(Watchers.Kind.SAFE.factory.get(), cleanup);
        AtomicBoolean thrown = new AtomicBoolean();
        ProcessSignals.Registration listener = ProcessSignals.listen(SignalNumbers.SIGCHLD, () -> {
            if (thrown.compareAndSet(false, true)) {
                throw new AssertionError("a process-wide SIGCHLD listener's failed assert");
            }
        });
        cleanup.add(listener::close);
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        for (int i = 0; i < 3; i++) {
            Recording recording = new Recording();
            Watchers.runOn(loop, () -> loop.subprocessExec(() -> recording, List.of("/bin/sh", "-c", "exit 7"), quiet));
            int code = Watchers.runOn(loop, () -> recording.exited.orTimeout(10, TimeUnit.SECONDS));
            assertEquals("child " + i, 7, code);
        }
    }
}
