package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;

import dev.loopkit.testsupport.OwnJvm;
import org.junit.Test;

/**
 * The JVM's first use of the native bindings from a thread with its interrupt status set: jffi writes
 * its native stub to a temporary file through an interruptible channel, which the pending interrupt
 * closed ("Unable to write jffi binary stub"), and the failure was kept for the JVM's life: no epoll
 * loop, no child watcher, no subprocess, even once the status was cleared (an outside review, a plugin
 * host's pooled thread). The binding now sets the status aside and puts it back.
 */
public class FirstUseFromAnInterruptedThreadTest {

    @Test(timeout = 90_000)
    public void theFirstBindingFromAnInterruptedThreadBindsAndLeavesTheInterruptSet() throws Exception {
        String said = OwnJvm.run(FirstUseFromAnInterruptedThreadTest.class).strip();
        assertEquals("bound: true, still interrupted: true", said.lines().reduce((first, last) -> last).orElse(said));
    }

    public static void main(String[] args) {
        Thread.currentThread().interrupt();
        boolean bound = Posix.isAvailable();
        boolean stillInterrupted = Thread.interrupted();
        if (!bound) {
            System.out.println(Posix.unavailableReason());
        }
        System.out.println("bound: " + bound + ", still interrupted: " + stillInterrupted);
    }
}
