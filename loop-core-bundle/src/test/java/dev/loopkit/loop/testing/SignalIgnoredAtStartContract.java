package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Posix;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * A process started with a signal ignored (nohup ignores SIGHUP; a script's background job gets SIGINT
 * ignored): asyncio's {@code add_signal_handler} installs its handler whatever the inherited
 * disposition was, so the handler runs. HotSpot installs none for SIGHUP, SIGINT or SIGTERM ignored at
 * its start, and {@code sun.misc.Signal.handle} answers {@code SIG_IGN} without a word: the handler
 * never ran (an outside review). Run in a child JVM whose SIGHUP is ignored
 * ({@code trap '' HUP; exec java ...}).
 */
public abstract class SignalIgnoredAtStartContract extends LoopTestSupport {

    /** The child: makes the loop named by args[0], handles SIGHUP, sends itself one, says whether it ran. */
    public static void main(String[] args) throws Exception {
        BaseEventLoop child = (BaseEventLoop) Class.forName(args[0]).getConstructor().newInstance();
        int sighup = Posix.signal("SIGHUP");
        CompletableFuture<String> outcome = new CompletableFuture<>();
        try {
            child.addSignalHandler(sighup, () -> outcome.complete("handler ran"));
        } catch (RuntimeException refused) {
            outcome.complete("refused: " + refused.getMessage());
        }
        child.callSoon(() -> {
            try {
                Posix.get().kill(Posix.get().getpid(), sighup);
            } catch (Exception e) {
                outcome.complete("kill failed: " + e);
            }
        });
        child.callLater(3, () -> outcome.complete("handler never ran (addSignalHandler returned normally)"));
        String said = child.runUntilComplete(outcome);
        child.close();
        System.out.println("OUTCOME " + said);
        System.out.flush();
        System.exit(0);
    }

    @Test(timeout = 90_000)
    public void aSignalIgnoredWhenTheProcessStartedStillReachesItsHandler() throws Exception {
        assertEquals("child JVM started with SIGHUP ignored (as under nohup), " + loop.getClass().getSimpleName(),
                "OUTCOME handler ran", childOutcome("trap '' HUP; "));
    }

    private String childOutcome(String trap) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String classPath = System.getProperty("java.class.path");
        String surefireClassPath = System.getProperty("surefire.test.class.path");
        if (surefireClassPath != null && !surefireClassPath.isEmpty()) {
            classPath = surefireClassPath;
        }
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", trap + "exec \"$0\" -cp \"$1\" "
                + SignalIgnoredAtStartContract.class.getName() + " \"$2\"", java, classPath, loop.getClass().getName());
        builder.redirectErrorStream(true);
        Process process = builder.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(out);
        }
        process.waitFor(60, TimeUnit.SECONDS);
        String text = out.toString(StandardCharsets.UTF_8);
        return text.lines().filter(l -> l.startsWith("OUTCOME ")).findFirst().orElse("no outcome: " + text);
    }
}
