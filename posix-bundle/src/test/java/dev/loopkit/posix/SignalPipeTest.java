package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.testsupport.SignalMasks;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.Test;

/** Real-time signals caught through {@link SignalPipe}: real {@code kill}s of this JVM. */
public class SignalPipeTest extends PosixTestSupport {

    @Test
    public void glibcKeepsTheFirstTwoRealTimeSignals() {
        assertEquals(34, posix.sigrtmin());
        assertEquals(64, posix.sigrtmax());
    }

    @Test
    public void eachDeliveryOfARealTimeSignalIsOneByteWithItsNumber() throws Exception {
        assumeTrue(SignalPipe.unsupportedReason(), SignalPipe.unsupportedReason() == null);
        int signal = posix.sigrtmin() + 3;
        try (SignalPipe pipe = posix.openSignalPipe()) {
            pipe.install(signal);
            try {
                posix.kill(posix.getpid(), signal);
                posix.kill(posix.getpid(), signal); // real-time signals queue: two deliveries
                assertEquals(signal, pipe.take());
                assertEquals(signal, pipe.take());
            } finally {
                assertTrue("nobody else replaced the handler", pipe.uninstall(signal));
            }
            pipe.wake();
            assertEquals(0, pipe.take());
        }
    }

    /**
     * A signal whose byte finds the pipe full is not lost: its mark is there for the reader, as CPython's
     * per-signal flag is beside its wake-up fd. 70,000 of one signal fill the 64 KiB pipe first.
     */
    @Test
    public void aSignalThatFindsThePipeFullIsMarkedAllTheSame() throws Exception {
        assumeTrue(SignalPipe.unsupportedReason(), SignalPipe.unsupportedReason() == null);
        int flood = posix.sigrtmin() + 5;
        int last = posix.sigrtmin() + 6;
        try (SignalPipe pipe = posix.openSignalPipe()) {
            pipe.install(flood);
            pipe.install(last);
            for (int i = 0; i < 70_000; i++) {
                posix.kill(posix.getpid(), flood);
            }
            posix.kill(posix.getpid(), last); // its byte is dropped: the pipe holds 65,536 of flood's
            // The deliveries come after kill returned, on whichever threads the kernel picks, in no order
            // across threads: nothing is read until last's mark is there, so its byte cannot find room (CI,
            // once: a take made room before last's delivery, and only flood was marked)
            java.util.Set<Integer> dropped = new java.util.TreeSet<>();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (!dropped.contains(last) && System.nanoTime() < deadline) {
                java.util.List<Integer> marks = pipe.takeDropped();
                assertEquals("a mark per signal, however many of its bytes were dropped: " + marks,
                        marks.size(), new java.util.HashSet<>(marks).size());
                dropped.addAll(marks);
                Thread.sleep(1);
            }
            assertEquals("each whose bytes were dropped", java.util.Set.of(flood, last), dropped);
            awaitHandled(pipe, flood, last); // before the handlers go: a flood still queued would end the JVM
            assertTrue(java.util.Set.of(flood).containsAll(pipe.takeDropped())); // flood's late deliveries'
            assertEquals(flood, pipe.take());
            assertEquals("the bytes that went are there", flood, pipe.take());
            assertTrue(pipe.uninstall(flood));
            assertTrue(pipe.uninstall(last));
            assertEquals("every handler left, the byte sent or marked", 0, dataPage(pipe).getInt(SignalPipe.IN_FLIGHT));
        }
    }

    /**
     * A handler that read the write end's number and has not written yet (its thread preempted there)
     * keeps that descriptor open: closed under it, the number goes to the next file opened, and the late
     * write puts a byte into that file. The handler is faked by its count in the data page; close() must
     * wait for it to leave before it closes the write end.
     */
    @Test
    public void aHandlerInFlightKeepsTheWriteEndOpenUntilItLeaves() throws Exception {
        assumeTrue(SignalPipe.unsupportedReason(), SignalPipe.unsupportedReason() == null);
        SignalPipe pipe = posix.openSignalPipe();
        Pointer data = dataPage(pipe);
        int writeEnd = data.getInt(0);
        Path link = Path.of("/proc/self/fd/" + writeEnd);
        String file = Files.readSymbolicLink(link).toString();
        data.putInt(SignalPipe.IN_FLIGHT, 1); // a handler entered, read the number, and was preempted
        pipe.handlersLeaveNanos = java.util.concurrent.TimeUnit.SECONDS.toNanos(60); // past the test's own pauses
        Thread closing = new Thread(pipe::close, "closing the signal pipe");
        try {
            closing.start();
            // close() stores -1 first, then waits for the handler: waited for, so that a slow machine's
            // late start of the closing thread cannot fail the test (an outside review)
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (data.getInt(0) != -1 && closing.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals("a handler entered now writes to no descriptor", -1, data.getInt(0));
            assertTrue("close() returned while a handler was in flight", closing.isAlive());
            assertEquals("the write end is still the pipe's", file, Files.readSymbolicLink(link).toString());
        } finally {
            data.putInt(SignalPipe.IN_FLIGHT, 0); // it wrote, and left
        }
        closing.join(5_000);
        assertFalse("close() returned once the handler left", closing.isAlive());
        assertFalse("the write end is closed", Files.exists(link, LinkOption.NOFOLLOW_LINKS)
                && Files.readSymbolicLink(link).toString().equals(file));
    }

    /** Waits until none of {@code signals} is pending for the process and no handler runs. */
    private static void awaitHandled(SignalPipe pipe, int... signals) throws Exception {
        long mask = 0;
        for (int signal : signals) {
            mask |= 1L << (signal - 1);
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long pending = SignalMasks.sharedPending();
            if ((pending & mask) == 0 && dataPage(pipe).getInt(SignalPipe.IN_FLIGHT) == 0) {
                return;
            }
            assertTrue("still pending after 30 s: " + Long.toHexString(pending & mask), System.nanoTime() < deadline);
            Thread.sleep(1);
        }
    }

    private static Pointer dataPage(SignalPipe pipe) {
        return Pointer.wrap(Runtime.getSystemRuntime(), pipe.handlerAddress() + SignalPipe.PAGE);
    }

    @Test
    public void aClosedPipesPagesServeTheNextOne() throws Exception {
        assumeTrue(SignalPipe.unsupportedReason(), SignalPipe.unsupportedReason() == null);
        int signal = posix.sigrtmin() + 4;
        for (int round = 0; round < 3; round++) {
            try (SignalPipe pipe = posix.openSignalPipe()) {
                pipe.install(signal);
                posix.kill(posix.getpid(), signal);
                assertEquals(signal, pipe.take());
            } // close() restores the action it replaced
        }
    }
}
