package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.signals.ProcessSignals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * SIGCHLD through the signal pipe when the pipe is full (an outside review's second look at it): while loopkit-signals is busy
 * (here a process-wide listener of a real-time signal that takes its time) 64 KiB of that signal's
 * numbers fill the pipe, and the byte of the SIGCHLD that comes next is dropped. No other SIGCHLD was
 * pending, so no sweep reaped the child. The JVM's handler (before SIGCHLD went through the pipe)
 * counted SIGCHLD pending and never lost it; CPython keeps a tripped flag per signal beside its wake-up
 * fd, and so does the pipe's handler now.
 */
@RunWith(Parameterized.class)
public class SigchldWhenTheSignalPipeIsFullTest {

    @Parameters(name = "{0}")
    public static Object[] watchers() {
        return new Object[] {Watchers.Kind.SAFE, Watchers.Kind.FAST, Watchers.Kind.MULTILOOP};
    }

    @Parameterized.Parameter
    public Watchers.Kind kind;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void tearDown() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void aSigchldThatFindsThePipeFullIsNotLost() throws Exception {
        BaseEventLoop loop = Watchers.loopWith(kind.factory.get(), cleanup);
        Posix posix = Posix.get();
        int rt = posix.sigrtmin() + 3;
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        ProcessSignals.Registration slow = ProcessSignals.listen(rt, () -> {
            if (first.compareAndSet(true, false)) {
                busy.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        cleanup.add(slow::close);
        cleanup.add(release::countDown);
        long self = posix.getpid();
        posix.kill(self, rt);
        assertTrue("the reader took the first one", busy.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 70_000; i++) {
            posix.kill(self, rt);
        }
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        Recording recording = new Recording();
        Watchers.runOn(loop, () -> loop.subprocessExec(() -> recording, List.of("/bin/sh", "-c", "sleep 0.3; exit 7"), quiet));
        long pid = recording.transport.getPid();
        Path stat = Path.of("/proc/" + pid + "/stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(stat).contains(") Z ") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue("the child exited (a zombie) while the pipe was full", Files.readString(stat).contains(") Z "));
        release.countDown();
        int code = Watchers.runOn(loop, () -> recording.exited.orTimeout(10, TimeUnit.SECONDS));
        assertEquals(7, code);
    }
}
