package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * {@code LOOPKIT_EPOLL=off} turns the loop off as {@code LOOPKIT_PIDFD=off} turns pidfds off: the
 * probe says so and the constructor refuses. The environment of a JVM is fixed, so a child JVM on
 * this test's class path is asked.
 */
public class EpollSwitchTest {

    /** In the child JVM: prints the probe's reason, then what the constructor says. */
    public static void main(String[] args) {
        System.out.println(EpollEventLoop.unavailableReason());
        try {
            new EpollEventLoop().close();
            System.out.println("made");
        } catch (UnsupportedOperationException refused) {
            System.out.println(refused.getMessage());
        }
    }

    @Test
    public void theEnvironmentSwitchTurnsTheLoopOff() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), EpollSwitchTest.class.getName());
        builder.environment().put(EpollEventLoop.SWITCH, "off");
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process child = builder.start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("the child JVM hung");
        }
        assertEquals(List.of("LOOPKIT_EPOLL=off in the environment",
                "the epoll loop cannot work here: LOOPKIT_EPOLL=off in the environment"), out.lines().toList());
    }
}
