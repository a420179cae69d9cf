package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import org.junit.Test;

/** Status decoding, signal numbers and error messages: no child needed. */
public class ReturncodeAndSignalTest {

    @Test
    public void exitedGivesTheExitStatus() {
        assertEquals(0, Posix.returncode(0));
        assertEquals(1, Posix.returncode(0x0100));
        assertEquals(7, Posix.returncode(0x0700));
        assertEquals(255, Posix.returncode(0xff00));
    }

    @Test
    public void killedGivesMinusTheSignal() {
        assertEquals(-9, Posix.returncode(9));
        assertEquals(-15, Posix.returncode(15));
        assertEquals("core dumped", -11, Posix.returncode(0x80 | 11));
    }

    @Test
    public void anUndecodableStatusIsPassedThroughRaw() {
        assertEquals("stopped by SIGSTOP", 0x137f, Posix.returncode(0x137f));
        assertEquals("continued", 0xffff, Posix.returncode(0xffff));
    }

    @Test
    public void waitidInfoDecodesAsWaitpidStatus() {
        assertEquals(7, Posix.returncode(1, 7)); // CLD_EXITED
        assertEquals(-9, Posix.returncode(2, 9)); // CLD_KILLED
        assertEquals(-11, Posix.returncode(3, 11)); // CLD_DUMPED
    }

    @Test
    public void signalNumbersAreLinuxs() {
        assertEquals(17, Posix.signal("SIGCHLD"));
        assertEquals(9, Posix.signal("SIGKILL"));
        assertEquals(15, Posix.signal("TERM"));
        assertEquals("SIGCHLD", Posix.signalName(17));
        assertEquals("SIGABRT", Posix.signalName(6));
        assertEquals("SIGIO", Posix.signalName(29));
        assertEquals("SIGSYS", Posix.signalName(31));
    }

    @Test
    public void unknownSignalsAreIllegalArguments() {
        for (String name : new String[] {"SIGNOPE", "SIGINFO", ""}) {
            try {
                Posix.signal(name);
                fail(name + " is no Linux signal");
            } catch (IllegalArgumentException e) {
                assertEquals("unknown signal name: '" + name + "'", e.getMessage());
            }
        }
        try {
            Posix.signalName(1000);
            fail("1000 is no signal");
        } catch (IllegalArgumentException e) {
            assertEquals("unknown signal number: 1000", e.getMessage());
        }
    }

    @Test
    public void errorsAreWordedAsPythons() {
        PosixException missing = PosixException.aboutFile(2, "nosuchprog");
        assertEquals("No such file or directory: 'nosuchprog'", missing.getMessage());
        assertEquals("ENOENT", missing.errnoName());
        assertEquals("No child processes (waitpid 42)", PosixException.ofCall(10, "waitpid 42").getMessage());
        assertEquals("errno 4242", new PosixException(4242, "odd").errnoName());
    }
}
