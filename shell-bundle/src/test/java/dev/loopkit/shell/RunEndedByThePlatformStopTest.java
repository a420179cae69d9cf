package dev.loopkit.shell;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.platform.ChoiceStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.Rule;
import org.junit.Test;

/**
 * The platform stops while {@code loop:run} runs its program (SIGTERM to the JVM): the stop ends the
 * run before any bundle stops. The program is killed, and the stop goes on once its watcher has reaped
 * it and reported the exit; the run says why it ended. Before, the loops' bundles stopped under the run, which killed its
 * child with no loop left to hear of its exit (DistributionIT has the whole platform).
 */
public class RunEndedByThePlatformStopTest {

    private final LoopCommands commands = new LoopCommands(ChoiceStore.NONE);

    @Rule
    public final ReapingWatcher.Installed reaping = new ReapingWatcher.Installed();
    private final PrintStream discard = new PrintStream(new ByteArrayOutputStream());

    @Test(timeout = 60_000)
    public void theStopKillsTheProgramAndGoesOnOnlyOnceItsExitIsIn() throws Exception {
        CompletableFuture<Runnable> stopping = new CompletableFuture<>();
        AtomicBoolean forgotten = new AtomicBoolean();
        PlatformStop platform = onStop -> {
            stopping.complete(onStop);
            return () -> forgotten.set(true);
        };
        CompletableFuture<String> said = CompletableFuture.supplyAsync(
                () -> commands.run(List.of("/bin/sh", "-c", "exec sleep 60"), discard, discard, platform));
        Runnable stop = stopping.get(30, TimeUnit.SECONDS);
        long pid = awaitTheChild();

        stop.run(); // the framework's stopping thread

        assertFalse("the stop went on with pid " + pid + " not reaped", Files.exists(Path.of("/proc/" + pid)));
        String line = said.get(30, TimeUnit.SECONDS);
        assertTrue(line, line.matches("pid " + pid + ": killed by signal 9 \\(returncode -9\\) after [0-9.]+ ms"
                + " \\(watcher reaping, \\w+\\); the platform is stopping: killed"));
        assertTrue("the run no longer listens for a stop", forgotten.get());
    }

    /**
     * A program that exited and left a background job holding its output ({@code sh -c 'daemon &'}): the
     * run waits for that output, as asyncio's {@code communicate()} does, but a platform stop ends it at
     * once. The stop gave up waiting after 10 s, the loop's bundle stopped under the run, and its line was
     * "Event loop stopped before Future completed." (an outside review).
     */
    @Test(timeout = 60_000)
    public void theStopEndsARunWhoseProgramLeftItsOutputToABackgroundJob() throws Exception {
        CompletableFuture<Runnable> stopping = new CompletableFuture<>();
        PlatformStop platform = onStop -> {
            stopping.complete(onStop);
            return () -> { };
        };
        CountDownLatch started = new CountDownLatch(1); // the program's line came: the program has run
        PrintStream out = new PrintStream(new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] bytes, int offset, int length) {
                super.write(bytes, offset, length);
                if (toString().contains("started")) {
                    started.countDown();
                }
            }
        }, true);
        CompletableFuture<String> said = CompletableFuture.supplyAsync(
                () -> commands.run(List.of("/bin/sh", "-c", "sleep 117 & echo started"), out, discard, platform));
        Runnable stop = stopping.get(30, TimeUnit.SECONDS);
        try {
            assertTrue("the program's line within 30 s", started.await(30, TimeUnit.SECONDS));
            // and the program's exit: its line came before it, and a stop in between killed the program
            // (a flake of a rerun; the case is the background job that holds the output after the exit)
            assertTrue("the program's exit within 30 s", reaping.watcher.reported.tryAcquire(30, TimeUnit.SECONDS));
            stop.run();
            String line = said.get(30, TimeUnit.SECONDS); // the background job would hold it for 117 s
            assertTrue(line, line.matches("pid \\d+: returncode 0 after [0-9.]+ ms \\(watcher reaping, \\w+\\);"
                    + " the platform is stopping: killed"));
        } finally {
            ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").endsWith("sleep 117"))
                    .forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Hang guard: a stop already under way when the run begins must not make the run wait for itself. */
    @Test(timeout = 9_000)
    public void aStopUnderWayBeforeTheSpawnKillsTheProgramAsSoonAsItIsSpawned() {
        PlatformStop stoppedAlready = onStop -> {
            onStop.run(); // on the run's own thread, before its program exists
            return () -> {
            };
        };
        String line = commands.run(List.of("/bin/sh", "-c", "exec sleep 60"), discard, discard, stoppedAlready);
        assertTrue(line, line.matches("pid \\d+: killed by signal 9 \\(returncode -9\\) after [0-9.]+ ms"
                + " \\(watcher reaping, \\w+\\); the platform is stopping: killed"));
    }

    // The run's child, told by its command line: the watcher may also hold an orphan an earlier test
    // of this JVM left in the orphanage, handed over as it registered.
    private long awaitTheChild() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (long pid : reaping.watcher.children().keySet()) {
                try {
                    if (Files.readString(Path.of("/proc/" + pid + "/cmdline")).equals("sleep\u000060\u0000")) {
                        return pid;
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // reaped meanwhile
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no child running sleep 60 after 30 s; the watcher holds " + reaping.watcher.children().keySet());
    }
}
