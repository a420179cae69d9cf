package dev.loopkit.signals;

import static dev.loopkit.testsupport.SignalMasks.pendingForTheProcess;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.posix.Posix;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * A real-time signal that comes as its last listener is removed is nobody's (an outside review: the signal
 * pipe's mark outlived the listener: its look skipped the signals no longer installed). The next
 * listener of that signal, added any time later, was called for it as soon as any other signal came
 * through the pipe (SIGCHLD, say): a signal sent before it listened. CPython clears a tripped flag
 * whatever became of the handler ("Signal N ignored due to race condition"), and asyncio drops a wake-up
 * byte with no handler.
 */
public class NoStaleSignalTest {

    private static final Posix POSIX = Posix.get();

    // Sends signum and waits until its listener ran: every byte before it in the pipe has been handled.
    private static void roundTrip(int signum, Semaphore ran) throws Exception {
        POSIX.kill(POSIX.getpid(), signum);
        assertTrue(ran.tryAcquire(10, TimeUnit.SECONDS));
    }

    @Test
    public void aListenerAddedLaterIsNotCalledForASignalSentBeforeIt() throws Exception {
        int keeper = POSIX.sigrtmin() + 11; // keeps the pipe and its reader (and is what makes it busy)
        int stale = POSIX.sigrtmin() + 12;
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Semaphore keeperRuns = new Semaphore(0);
        ProcessSignals.Registration keep = ProcessSignals.listen(keeper, () -> {
            busy.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            keeperRuns.release();
        });
        ProcessSignals.Registration second = null;
        try {
            ProcessSignals.Registration first = ProcessSignals.listen(stale, () -> { });
            POSIX.kill(POSIX.getpid(), keeper);
            assertTrue(busy.await(10, TimeUnit.SECONDS)); // the reader is in the keeper's listener
            POSIX.kill(POSIX.getpid(), stale); // comes as its listener goes
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pendingForTheProcess(stale) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            // Taken from the queue, its handler runs on whichever thread the kernel chose, and its byte
            // cannot be seen before the reader reads it: the one wait here without an event to wait on.
            Thread.sleep(100);
            first.close();
            release.countDown();
            assertTrue(keeperRuns.tryAcquire(10, TimeUnit.SECONDS));
            roundTrip(keeper, keeperRuns); // the pipe keeps order: the stale byte before it is read, nobody listened

            AtomicInteger secondCalls = new AtomicInteger();
            second = ProcessSignals.listen(stale, secondCalls::incrementAndGet);
            roundTrip(keeper, keeperRuns); // any other signal through the pipe, and its look at the marks
            roundTrip(keeper, keeperRuns); // the look after the last byte is done once the next byte is handled
            assertEquals("no signal was sent since the second listener came", 0, secondCalls.get());
        } finally {
            release.countDown();
            if (second != null) {
                second.close();
            }
            keep.close();
        }
    }
}
