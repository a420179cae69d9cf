package dev.loopkit.signals;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.posix.Posix;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/**
 * A process-wide signal listener ({@code ProcessSignals.listen}) is user code on the signal thread, and
 * may call any public method: here, in its first call, it closes its own registration and another
 * listener's, and registers a new listener for the same signal. Nothing waits for the dispatcher meanwhile,
 * the closed ones hear no more, and the new one hears the next signal. A signal is only sent while one of
 * the test's listeners holds the handler (SIGUSR1's default action would end the JVM).
 */
public class ProcessSignalsListenerReentrancyTest {

    private static final Posix POSIX = Posix.get();
    private static final int SIGUSR1 = SignalNumbers.number("SIGUSR1");

    @Test(timeout = 60_000)
    public void aListenerMayCloseItselfAndAnotherAndRegisterANewOneFromItsCall() throws Exception {
        AtomicInteger firstCalls = new AtomicInteger();
        AtomicInteger otherCalls = new AtomicInteger();
        Semaphore replaced = new Semaphore(0);
        Semaphore heardByTheNewOne = new Semaphore(0);
        AtomicReference<ProcessSignals.Registration> self = new AtomicReference<>();
        AtomicReference<ProcessSignals.Registration> added = new AtomicReference<>();
        ProcessSignals.Registration other = ProcessSignals.listen(SIGUSR1, otherCalls::incrementAndGet);
        self.set(ProcessSignals.listen(SIGUSR1, () -> {
            if (firstCalls.incrementAndGet() == 1) {
                added.set(ProcessSignals.listen(SIGUSR1, heardByTheNewOne::release)); // before the closes: the handler stays held
                self.get().close();
                other.close();
                replaced.release();
            }
        }));
        try {
            POSIX.kill(POSIX.getpid(), SIGUSR1);
            assertTrue("the first signal reached the listener", replaced.tryAcquire(30, TimeUnit.SECONDS));
            int otherBefore = otherCalls.get();
            POSIX.kill(POSIX.getpid(), SIGUSR1);
            assertTrue("the listener it added heard the next signal", heardByTheNewOne.tryAcquire(30, TimeUnit.SECONDS));
            assertEquals("the listener that closed itself was called again", 1, firstCalls.get());
            assertEquals("the listener it closed was called again", otherBefore, otherCalls.get());
        } finally {
            if (added.get() != null) {
                added.get().close();
            }
            self.get().close();
            other.close();
        }
    }
}
