package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

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
            assertEquals(flood, pipe.take());
            assertEquals("each whose bytes were dropped, once", java.util.List.of(flood, last),
                    pipe.takeDropped().stream().sorted().toList());
            assertEquals(java.util.List.of(), pipe.takeDropped());
            assertEquals("the bytes that went are there", flood, pipe.take());
            assertTrue(pipe.uninstall(flood));
            assertTrue(pipe.uninstall(last));
        }
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
