package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.LogHandlers;
import dev.loopkit.testsupport.OtherThread;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.Test;

/**
 * The pidfd watcher starts watching a child's pidfd (loop.addReader) inside addChildHandler, which a
 * spawn calls under the spawn gate. When the pidfd gets the number of a descriptor the loop still
 * watches but its owner closed (a reader never removed: asyncio's selector keeps such keys too), the
 * loop's descriptor set said "File descriptor N was closed while the loop watched it" there and then,
 * under the gate: a log handler that hands a watcher switch to another thread and waits for it waited
 * for ever, as the switch waits for the gate (an outside review of user code under locks). The warning
 * is said on the loop's next turn now.
 */
public class StaleDescriptorWarningUnderTheSpawnGateTest {

    private static final Posix POSIX = Posix.get();
    private static final SubprocessOptions QUIET = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
            .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);

    @Test(timeout = 120_000)
    public void aLogHandlerOfTheStaleDescriptorWarningSaidDuringASpawnMaySwitchWatchersOnAnotherThread() throws Exception {
        assumeTrue("no pidfds here, so no pidfd watcher to add its readers under the spawn gate: "
                + POSIX.pidfdUnsupportedReason(), POSIX.pidfdSupported());
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        BaseEventLoop loop = new SelectorEventLoop();
        AtomicBoolean returned = new AtomicBoolean(true);
        StringBuilder seen = new StringBuilder();
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        Handler handler = LogHandlers.calling(record -> {
            if (record.getMessage() != null && record.getMessage().contains("was closed while the loop watched it")
                    && seen.length() == 0) {
                String saidAt = Arrays.stream(Thread.currentThread().getStackTrace())
                        .filter(frame -> frame.getClassName().startsWith("dev.loopkit.")).limit(16).map(String::valueOf)
                        .collect(Collectors.joining("\n    at "));
                returned.set(OtherThread.returns(() -> ProcessWide.get().childWatchers().setExplicit(threaded)));
                seen.append(record.getMessage()).append("\nsaid at\n    at ").append(saidAt)
                        .append("\nthe other thread meanwhile:\n").append(OtherThread.probeStacks());
            }
        });
        long[] pid = {-1};
        try {
            ProcessWide.get().childWatchers().setExplicit(pidfd);
            // The lowest free descriptor numbers, watched by the loop and then closed behind its back: the
            // spawn's pidfd takes one of those numbers next.
            int[] fds = new int[32];
            for (int i = 0; i < fds.length; i++) {
                fds[i] = POSIX.eventfd();
            }
            for (int fd : fds) {
                loop.addReader(fd, () -> { });
            }
            for (int fd : fds) {
                POSIX.close(fd);
            }
            logger.addHandler(handler);
            SubprocessTransport transport = loop.runUntilComplete(
                    loop.subprocessExec(() -> new SubprocessProtocol() { }, List.of("/bin/sh", "-c", "sleep 60"), QUIET));
            pid[0] = transport.getPid();
            loop.runUntilComplete(CompletableFuture.completedFuture(null)); // a turn for what the loop said later
        } finally {
            logger.removeHandler(handler);
            if (pid[0] > 0) {
                POSIX.kill(pid[0], 9);
            }
            ProcessWide.get().childWatchers().setExplicit(null);
            loop.close();
            pidfd.close();
            threaded.close();
        }
        assertTrue("the warning was said", seen.length() > 0);
        assertTrue("the other thread's switch returned while the warning was said: " + seen, returned.get());
    }
}
