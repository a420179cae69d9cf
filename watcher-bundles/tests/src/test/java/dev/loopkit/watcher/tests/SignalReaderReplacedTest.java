package dev.loopkit.watcher.tests;

import static dev.loopkit.testsupport.SignalMasks.caught;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.signals.ProcessSignals;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * The signal pipe's reader replaced after it failed serves SIGCHLD again (an outside review). The
 * reader ends on a VirtualMachineError other than StackOverflowError thrown by a process-wide
 * listener: here an OutOfMemoryError such as a too-large array gives ("Requested array size exceeds VM
 * limit"), from which the JVM goes on. Its pipe closes and puts SIGCHLD back to SIG_DFL. A new reader
 * took only the next signal installed through the pipe: SIGCHLD, still in the dispatcher's table, was
 * never installed again, and the safe watcher's children were never reaped.
 */
public class SignalReaderReplacedTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void tearDown() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void aReplacedSignalReaderServesSigchldAgain() throws Exception {
        BaseEventLoop loop = Watchers.loopWith(Watchers.Kind.SAFE.factory.get(), cleanup);
        Posix posix = Posix.get();
        int failing = posix.sigrtmin() + 9;
        int later = posix.sigrtmin() + 10;
        CompletableFuture<Thread> reader = new CompletableFuture<>();
        ProcessSignals.Registration greedy = ProcessSignals.listen(failing, () -> {
            reader.complete(Thread.currentThread());
            throw new OutOfMemoryError("Requested array size exceeds VM limit"); // as new long[Integer.MAX_VALUE] says
        });
        posix.kill(posix.getpid(), failing);
        Thread ended = reader.get(10, TimeUnit.SECONDS);
        ended.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse("the reader the error went through has ended", ended.isAlive());
        greedy.close();
        // a signal installed afterwards: "a reader that ended is replaced"
        ProcessSignals.Registration next = ProcessSignals.listen(later, () -> { });
        cleanup.add(next::close);
        assertTrue("SIGCHLD has a handler again (SigCgt of /proc/self/status)", caught(17));
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        Recording recording = new Recording();
        Watchers.runOn(loop, () -> loop.subprocessExec(() -> recording, List.of("/bin/sh", "-c", "exit 7"), quiet));
        int code = Watchers.runOn(loop, () -> recording.exited.orTimeout(10, TimeUnit.SECONDS));
        assertEquals(7, code);
    }
}
