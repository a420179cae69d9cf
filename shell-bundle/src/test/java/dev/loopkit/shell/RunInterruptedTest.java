package dev.loopkit.shell;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.platform.ChoiceStore;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;

/**
 * A shell that interrupts its job's thread on Ctrl-C (Karaf's does) gets what a Ctrl-C gets: the
 * first goes to the program as SIGINT, a second kills it, and the run ends with its line. The first
 * interrupt killed the program outright, and Karaf's Ctrl-C with it (an outside review; the class's
 * javadoc said "does the same").
 */
public class RunInterruptedTest {

    private final LoopCommands commands = new LoopCommands(ChoiceStore.NONE);

    @Rule
    public final ReapingWatcher.Installed reaping = new ReapingWatcher.Installed();

    @Test(timeout = 60_000)
    public void theFirstInterruptGoesToTheProgramAsSigint() throws Exception {
        Run run = start("trap 'echo got INT; exit 7' INT; echo ready; while :; do sleep 0.05; done");
        run.awaitPrinted("ready");
        run.thread.interrupt();
        String line = run.said.get(30, TimeUnit.SECONDS);
        assertTrue(run.out(), run.out().contains("got INT"));
        assertTrue(line, line.matches("pid \\d+: returncode 7 after [0-9.]+ ms \\(watcher reaping, \\w+\\); interrupted \\(SIGINT\\)"));
        assertTrue("the command's thread is still interrupted", run.interruptedAfter.get());
    }

    @Test(timeout = 60_000)
    public void aSecondInterruptKillsIt() throws Exception {
        Run run = start("trap 'echo got INT' INT; echo ready; while :; do sleep 0.05; done");
        run.awaitPrinted("ready");
        run.thread.interrupt();
        run.awaitPrinted("got INT");
        assertFalse("the run ended at the first interrupt", run.said.isDone());
        run.thread.interrupt();
        String line = run.said.get(30, TimeUnit.SECONDS);
        assertTrue(line, line.matches("pid \\d+: killed by signal 9 \\(returncode -9\\) after [0-9.]+ ms \\(watcher reaping, \\w+\\); interrupted \\(SIGINT\\)"));
    }

    /**
     * Interrupted before the command began, as by a Ctrl-C typed as it was entered: the interrupt stopped
     * the spawn's loop once the child had started, the command failed ("Event loop stopped before Future
     * completed.") and the child ran on, owned by nobody (a review of the change above). It is the
     * program's SIGINT too.
     */
    @Test(timeout = 60_000)
    public void anInterruptBeforeTheSpawnIsTheProgramsSigintToo() throws Exception {
        AtomicReference<String> said = new AtomicReference<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        PrintStream discard = new PrintStream(new ByteArrayOutputStream());
        Thread job = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                said.set(commands.run(List.of("/bin/sleep", "20"), discard, discard));
            } catch (RuntimeException e) {
                said.set(e.toString());
            }
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        }, "the shell's job");
        job.start();
        job.join(30_000);
        Matcher line = Pattern.compile("pid (\\d+): killed by signal 2 \\(returncode -2\\) after [0-9.]+ ms"
                + " \\(watcher reaping, \\w+\\); interrupted \\(SIGINT\\)").matcher(String.valueOf(said.get()));
        assertTrue(said.get(), line.matches());
        assertFalse("pid " + line.group(1) + " runs on", Files.exists(Path.of("/proc/" + line.group(1))));
        assertTrue("the command's thread is still interrupted", interruptedAfter.get());
    }

    /** A run of {@code sh -c script} on a thread of its own, its output kept. */
    private final class Run {
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final CompletableFuture<String> said = new CompletableFuture<>();
        final AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread thread;

        String out() {
            synchronized (printed) {
                return printed.toString(StandardCharsets.UTF_8);
            }
        }

        /** Returns once the program has printed {@code text}, woken by each write; fails after 30 s. */
        void awaitPrinted(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            synchronized (printed) {
                while (!out().contains(text)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("the program never printed \"" + text + "\": " + out());
                    }
                    TimeUnit.NANOSECONDS.timedWait(printed, left);
                }
            }
        }
    }

    private Run start(String script) {
        Run run = new Run();
        PrintStream out = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                synchronized (run.printed) {
                    run.printed.write(bytes, offset, length);
                    run.printed.notifyAll();
                }
            }
        }, true);
        run.thread = new Thread(() -> {
            try {
                String line = commands.run(List.of("/bin/sh", "-c", script), out, out);
                run.interruptedAfter.set(Thread.currentThread().isInterrupted()); // before the test reads it
                run.said.complete(line);
            } catch (Throwable e) {
                run.said.completeExceptionally(e);
            }
        }, "the shell's job");
        run.thread.start();
        return run;
    }
}
