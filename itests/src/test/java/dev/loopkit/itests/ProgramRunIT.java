package dev.loopkit.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * {@code loop:run} owns the child it started: when its loop goes away (the loop's bundle stops) it
 * kills and reaps the child and says so; and it names the watcher by its {@code loopkit.name}, also
 * one the registry does not list. Each test gets a fresh framework.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ProgramRunIT {

    private static final long HANG_GUARD_SECONDS = 60;

    @Inject
    private CommandProcessor processor;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution();
    }

    @Before
    public void platformIsUp() {
        Await.platformUp();
    }

    @Test
    public void aRunWhoseLoopBundleStopsKillsAndReapsItsChildAndSaysSo() throws Exception {
        // the loop bundle of the process-wide policy: epoll where its policy is published, else selector
        stoppingKillsAndReapsTheRunsChild(Bundles.named(context, "dev.loopkit.loop." + EpollPolicy.loopFactory()));
    }

    /**
     * The same while no policy is installed (a refresh of the policy bundle takes the loop bundles with
     * it for a moment): the run looked its watcher up through the policy, which threw before the kill,
     * and the program ran on while the command waited 30 s and then said "killed" (an outside review).
     */
    @Test
    public void aRunWhoseLoopBundleStopsWhileNoPolicyIsInstalledStillKillsAndReapsItsChild() throws Exception {
        stoppingKillsAndReapsTheRunsChild(Bundles.named(context, "dev.loopkit.policy"),
                Bundles.named(context, "dev.loopkit.loop." + EpollPolicy.loopFactory()));
    }

    /**
     * Stops {@code bundles} in turn while a run's child sleeps, the last one its loop's: the run kills and
     * reaps the child and says so; then starts them again, the other way round.
     */
    private void stoppingKillsAndReapsTheRunsChild(Bundle... bundles) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<String> run = start("loop:run sh -c 'echo started $$; exec sleep 30'", out);
        Matcher started = Pattern.compile("started (\\d+)\n").matcher("");
        Await.until("the child started", () -> started.reset(output(out)).find());
        long pid = Long.parseLong(started.group(1));
        for (Bundle bundle : bundles) {
            bundle.stop();
        }
        try {
            String said = run.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
            assertTrue(said, said.matches("(?s)started " + pid + "\npid " + pid + ": killed by signal 9 \\(returncode -9\\) after [0-9.]+ ms"
                    + " \\(watcher " + Pidfds.bestWatcher() + ", " + EpollPolicy.loopClass() + "\\); its loop was closed: killed\n"));
            assertFalse(said + "but /proc/" + pid + " is still there", Files.exists(Path.of("/proc/" + pid)));
        } finally {
            for (int i = bundles.length - 1; i >= 0; i--) {
                bundles[i].start();
            }
        }
        Await.platformUp();
    }

    @Test
    public void afterASwapToAWatcherOfItsOwnRunNamesItByItsLoopkitName() throws Exception {
        // asyncio's set_child_watcher(ThreadedChildWatcher()): a watcher the registry does not list
        Asyncio.setChildWatcher(new ThreadedChildWatcher());
        try {
            String said = start("loop:run /bin/true", new ByteArrayOutputStream()).get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
            assertTrue(said, said.matches("pid \\d+: returncode 0 after [0-9.]+ ms \\(watcher threaded, " + EpollPolicy.loopClass() + "\\)\n"));
        } finally {
            Asyncio.setChildWatcher(null);
        }
    }

    // Runs the command on a thread of its own; the future is what it printed and then returned, as
    // the shell shows it.
    private CompletableFuture<String> start(String command, ByteArrayOutputStream out) {
        return CompletableFuture.supplyAsync(() -> {
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
            try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
                Object result = session.execute(command);
                if (result != null) {
                    print.println(session.format(result, Converter.INSPECT));
                }
            } catch (Exception e) {
                print.println("failed: " + e);
            }
            return output(out);
        });
    }

    private static String output(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
