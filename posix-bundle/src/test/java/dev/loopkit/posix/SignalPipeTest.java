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
