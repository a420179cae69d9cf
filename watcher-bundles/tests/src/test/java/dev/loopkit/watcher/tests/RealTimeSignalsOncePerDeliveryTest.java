package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.signals.ProcessSignals;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Test;

/**
 * Real-time signals reach a loop's handler once per delivery (an outside review, when the signal pipe's
 * marks had coalesced them). asyncio does not coalesce them for add_signal_handler: CPython's C handler writes one wake-up byte per delivery and
 * _UnixSelectorEventLoop._process_self_data calls _handle_signal once per byte. Checked here with CPython
 * (kill(getpid(), SIGRTMIN+2) five times while the loop is busy: the callback runs 5 times). The kernel
 * queues each real-time signal, so five sent are five delivered. Loopkit's reader
 * dispatches once per byte, and marks only the deliveries whose byte found the pipe full.
 */
public class RealTimeSignalsOncePerDeliveryTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    public void fiveRealTimeSignalsCallTheLoopsHandlerFiveTimesAsAsyncioDoes() throws Exception {
        Posix posix = Posix.get();
        int busySignal = posix.sigrtmin() + 7;
        int counted = posix.sigrtmin() + 8;
        BaseEventLoop loop = new SelectorEventLoop();
        cleanup.add(loop::close);
        // the signal thread is busy for a moment (another part of the program listening to another signal)
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ProcessSignals.Registration slow = ProcessSignals.listen(busySignal, () -> {
            busy.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        cleanup.add(slow::close);
        cleanup.add(release::countDown);
        AtomicInteger calls = new AtomicInteger();
        loop.addSignalHandler(counted, calls::incrementAndGet);
        cleanup.add(() -> loop.removeSignalHandler(counted));
        posix.kill(posix.getpid(), busySignal);
        assertTrue("the signal thread took the first signal", busy.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 5; i++) {
            posix.kill(posix.getpid(), counted);
        }
        release.countDown();
        CompletableFuture<Void> settle = new CompletableFuture<>();
        loop.callLater(1.0, () -> settle.complete(null));
        loop.runUntilComplete(settle);
        assertEquals("one call per real-time signal delivered, as asyncio's", 5, calls.get());
    }
}
