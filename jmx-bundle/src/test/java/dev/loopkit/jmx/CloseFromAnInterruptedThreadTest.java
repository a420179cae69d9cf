package dev.loopkit.jmx;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * A framework stops the bundle on whatever thread asked, an interrupted one included (a host stopping a
 * plugin from a thread it interrupted). The close's waits for the refresher gave up at once on the
 * interrupt, and a refresher in the middle of a look outlived the bundle: the same fault an outside
 * review found in the loops' helper threads.
 */
public class CloseFromAnInterruptedThreadTest {

    private static final String REFRESHER = "loopkit-jmx-loops";

    private final CountDownLatch looking = new CountDownLatch(1);
    private volatile boolean slow;
    private final EventLoopFactory slowToList = new EventLoopFactory() {
        @Override
        public String name() {
            return "slow";
        }

        @Override
        public EventLoop newEventLoop() {
            throw new IllegalStateException("no loops here");
        }

        // A third-party factory that takes its time and does not answer interrupts.
        @Override
        public List<EventLoop> liveLoops() {
            if (slow && Thread.currentThread().getName().equals(REFRESHER)) {
                looking.countDown();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            return List.of();
        }
    };

    @After
    public void unregister() {
        ProcessWide.get().loopFactories().unregister(slowToList);
    }

    @Test(timeout = 30_000)
    public void theRefresherHasEndedWhenACloseOnAnInterruptedThreadReturns() throws Exception {
        ProcessWide.get().loopFactories().register(slowToList, "slow", 0, 998, "test");
        LoopkitMBeans mbeans = new LoopkitMBeans(ChoiceStore.NONE, 20);
        slow = true;
        assertTrue("the refresher looked", looking.await(20, TimeUnit.SECONDS));
        Thread.currentThread().interrupt();
        try {
            mbeans.close();
        } finally {
            assertTrue("the interrupt status is left set", Thread.interrupted());
        }
        assertEquals("threads left by the close", List.of(), Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(REFRESHER)).map(Thread::getName).toList());
    }
}
