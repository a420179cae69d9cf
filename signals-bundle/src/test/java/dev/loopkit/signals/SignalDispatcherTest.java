package dev.loopkit.signals;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.posix.Posix;
import dev.loopkit.testsupport.LogHandlers;
import dev.loopkit.testsupport.OtherThread;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.junit.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Real signals sent to this JVM with {@code kill}: several process-wide listeners share one
 * handler; removing one leaves the others listening; what cannot be caught says so in asyncio's
 * words. A signal is only ever sent while one of the test's listeners holds the handler (SIGUSR1's
 * default action would end the JVM).
 */
public class SignalDispatcherTest {

    private static final Posix POSIX = Posix.get();
    private static final int SIGUSR1 = SignalNumbers.number("SIGUSR1");
    private static final int SIGWINCH = SignalNumbers.number("WINCH");

    private static void raise(int signum) throws Exception {
        POSIX.kill(POSIX.getpid(), signum);
    }

    // Generous: only a hang guard.
    private static void await(Semaphore delivered) throws InterruptedException {
        assertTrue("delivered within 30 s", delivered.tryAcquire(30, TimeUnit.SECONDS));
    }

    private static void severalListenersThenRemoveOne(int signum) throws Exception {
        AtomicInteger removedRuns = new AtomicInteger();
        Semaphore kept = new Semaphore(0);
        Semaphore alsoKept = new Semaphore(0);
        // the one to remove comes first: were it still there, it would run before the others
        ProcessSignals.Registration removed = ProcessSignals.listen(signum, removedRuns::incrementAndGet);
        ProcessSignals.Registration first = ProcessSignals.listen(signum, kept::release);
        ProcessSignals.Registration second = ProcessSignals.listen(signum, alsoKept::release);
        try {
            raise(signum);
            await(kept);
            await(alsoKept);
            assertEquals(1, removedRuns.get());

            removed.close();
            removed.close(); // idempotent
            raise(signum);
            await(kept);
            await(alsoKept);
            assertEquals("the removed listener did not run again", 1, removedRuns.get());
        } finally {
            second.close();
            first.close();
        }
    }

    @Test
    public void listenersOfAJvmSignalEachRunAndARemovedOneNoLonger() throws Exception {
        severalListenersThenRemoveOne(SIGUSR1);
    }

    @Test
    public void listenersOfARealtimeSignalEachRunAndARemovedOneNoLonger() throws Exception {
        severalListenersThenRemoveOne(POSIX.sigrtmin() + 3);
    }

    @Test
    public void aFailingListenerDoesNotStopTheOthers() throws Exception {
        Semaphore kept = new Semaphore(0);
        ProcessSignals.Registration failing = ProcessSignals.listen(SIGWINCH, () -> {
            throw new IllegalStateException("expected by the test");
        });
        ProcessSignals.Registration other = ProcessSignals.listen(SIGWINCH, kept::release);
        try {
            raise(SIGWINCH);
            await(kept);
        } finally {
            failing.close();
            other.close();
        }
    }

    @Test
    public void aListenerMayRemoveItselfAndAddAnotherWhileItRuns() throws Exception {
        Semaphore added = new Semaphore(0);
        ProcessSignals.Registration[] self = new ProcessSignals.Registration[1];
        ProcessSignals.Registration[] next = new ProcessSignals.Registration[1];
        Semaphore ran = new Semaphore(0);
        self[0] = ProcessSignals.listen(SIGWINCH, () -> {
            next[0] = ProcessSignals.listen(SIGWINCH, added::release);
            self[0].close();
            ran.release();
        });
        try {
            raise(SIGWINCH);
            await(ran);
            raise(SIGWINCH);
            await(added);
            assertEquals("removed itself", 0, ran.availablePermits());
        } finally {
            self[0].close();
            if (next[0] != null) {
                next[0].close();
            }
        }
    }

    @Test
    public void killAndStopCannotBeCaught() {
        for (int signum : new int[] {SignalNumbers.SIGKILL, SignalNumbers.SIGSTOP}) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> ProcessSignals.listen(signum, () -> { }));
            assertEquals("sig " + signum + " cannot be caught", refused.getMessage());
        }
    }

    @Test
    public void numbersThatAreNoSignalsAreInvalid() {
        for (int signum : new int[] {0, -1, 32, 33, 65}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> ProcessSignals.listen(signum, () -> { }));
            assertEquals("invalid signal number " + signum, refused.getMessage());
        }
    }

    @Test
    public void theNumbersAreTheKernelsAndTheirNames() {
        assertEquals(Posix.signal("SIGCHLD"), SignalNumbers.SIGCHLD);
        assertEquals(Posix.signal("SIGKILL"), SignalNumbers.SIGKILL);
        assertEquals(Posix.signal("SIGTERM"), SignalNumbers.number("TERM"));
        assertEquals("unknown signal name: 'SIGNOPE'",
                assertThrows(IllegalArgumentException.class, () -> SignalNumbers.number("SIGNOPE")).getMessage());
        int min = POSIX.sigrtmin();
        assertEquals("SIGRTMIN", SignalNumbers.realtimeName(min));
        assertEquals("SIGRTMIN+2", SignalNumbers.realtimeName(min + 2));
        assertEquals("SIGRTMAX", SignalNumbers.realtimeName(POSIX.sigrtmax()));
    }

    /**
     * A log handler is user code: it may hand any call to another thread and wait for it. The warning
     * that outside code replaced our handler, said as the last listener goes, must not be said under
     * the lock every other listen and close takes.
     */
    @Test(timeout = 60_000)
    public void aLogHandlerThatWaitsForAnotherThreadsListenWhileTheOutsideCodeWarningIsSaidDoesNotDeadlock() throws Exception {
        Signal winch = new Signal("WINCH");
        SignalHandler before = Signal.handle(winch, SignalHandler.SIG_IGN);
        Logger logger = Logger.getLogger("dev.loopkit.loop");
        CountDownLatch workerDone = new CountDownLatch(1);
        AtomicInteger warnings = new AtomicInteger();
        Handler handler = LogHandlers.calling(record -> {
            if (!record.getMessage().contains("changed by outside code")) {
                return;
            }
            warnings.incrementAndGet();
            OtherThread.returns(() -> {
                ProcessSignals.listen(SIGUSR1, () -> { }).close();
                workerDone.countDown();
            });
        });
        logger.addHandler(handler);
        try {
            ProcessSignals.Registration registration = ProcessSignals.listen(SIGWINCH, () -> { });
            SignalHandler outside = signal -> { };
            Signal.handle(winch, outside);
            registration.close();
            assertEquals(1, warnings.get());
            assertEquals("the worker's listen and close, while the warning was said", 0, workerDone.getCount());
        } finally {
            logger.removeHandler(handler);
            Signal.handle(winch, before);
        }
    }
}
