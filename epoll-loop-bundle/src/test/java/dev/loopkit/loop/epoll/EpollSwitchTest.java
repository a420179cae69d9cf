package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.util.List;
import org.junit.Test;

/**
 * {@code LOOPKIT_EPOLL=off} turns the loop off as {@code LOOPKIT_PIDFD=off} turns pidfds off: the
 * probe says so and the loop's and the policy's constructors refuse. The environment of a JVM is fixed, so a child JVM on
 * this test's class path is asked.
 */
public class EpollSwitchTest {

    /** In the child JVM: prints the probe's reason, then what the loop's and the policy's constructors say. */
    public static void main(String[] args) {
        System.out.println(EpollEventLoop.unavailableReason());
        try {
            new EpollEventLoop().close();
            System.out.println("made");
        } catch (UnsupportedOperationException refused) {
            System.out.println(refused.getMessage());
        }
        try {
            new EpollEventLoopPolicy();
            System.out.println("policy made");
        } catch (UnsupportedOperationException refused) {
            System.out.println("policy: " + refused.getMessage());
        }
    }

    @Test
    public void theEnvironmentSwitchTurnsTheLoopOff() throws IOException, InterruptedException {
        assertEquals(List.of("LOOPKIT_EPOLL=off in the environment",
                "the epoll loop cannot work here: LOOPKIT_EPOLL=off in the environment",
                "policy: the epoll loop cannot work here: LOOPKIT_EPOLL=off in the environment"),
                ChildJvm.linesOf(EpollSwitchTest.class, EpollEventLoop.SWITCH, "off"));
    }

    /** LOOPKIT_EPOLL=OFF, =0 or =false left the loop on without a word (an admin's review). */
    @Test
    public void theSwitchTakesOffInAnyCaseAndTheUsualWordsForNo() throws IOException, InterruptedException {
        for (String off : List.of("OFF", "0", "false")) {
            assertEquals(EpollEventLoop.SWITCH + "=" + off + " in the environment",
                    ChildJvm.linesOf(EpollSwitchTest.class, EpollEventLoop.SWITCH, off).get(0));
        }
    }
}
