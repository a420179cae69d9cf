package dev.loopkit.platform.internal;

import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.runtime.MainContext;
import dev.loopkit.runtime.ProcessWide;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * The platform restarted while its old main loop is still busy in a callback: deactivation waits 10 s
 * for the old main thread, then goes on without it. When that thread ended later, it took the main
 * context away from the new main thread (an outside review's Pax Exam test): switches then attached
 * no watcher, the safe and fast watchers could not be active, and the pidfd watcher refused children.
 */
public class MainLoopRestartTest {

    private final List<EventLoop> made = new CopyOnWriteArrayList<>();
    private final MainLoop first = new MainLoop();
    private final MainLoop second = new MainLoop();
    private final CountDownLatch release = new CountDownLatch(1);

    @After
    public void tearDown() {
        release.countDown();
        second.deactivate();
        first.deactivate();
        ProcessWide.get().policies().setExplicit(null);
    }

    @Test(timeout = 120_000)
    public void anOldMainThreadEndingLateLeavesTheNewOneTheMainContext() throws Exception {
        ProcessWide.get().policies().setExplicit(policy());
        first.activate(null, config(), Map.of());
        EventLoop old = made.get(0);
        CompletableFuture<Thread> oldThread = new CompletableFuture<>();
        old.callSoonThreadsafe(() -> {
            oldThread.complete(Thread.currentThread());
            try {
                release.await(60, TimeUnit.SECONDS); // busy: the first main thread cannot end
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread busy = oldThread.get(30, TimeUnit.SECONDS);
        first.stopWaitMillis = 200; // not the 10 s it gives a busy thread in a platform
        first.deactivate(); // gives up on the busy thread

        second.activate(null, config(), Map.of());
        MainContext context = ProcessWide.get().mainContext();
        EventLoop current = made.get(made.size() - 1);
        assertSame(current, context.loop());

        release.countDown();
        busy.join(30_000);
        assertTrue("the old main thread ended", !busy.isAlive());
        assertSame("the new main loop is still the main context's", current, context.loop());
        assertTrue("designated: " + context.designated(), context.designated() != null && context.designated() != busy);
    }

    /**
     * A framework stops the bundle on whatever thread asked, an interrupted one included (a host stopping
     * a plugin from a thread it interrupted): the wait for the main thread gave up at once, and the main
     * thread outlived the bundle while its callback ran (as a loop's helper threads outlived a close from
     * an interrupted thread: an outside review). The wait is the same as on any thread.
     */
    @Test(timeout = 120_000)
    public void aStopOnAnInterruptedThreadWaitsForTheMainThreadAsAnyStopDoes() throws Exception {
        ProcessWide.get().policies().setExplicit(policy());
        first.activate(null, config(), Map.of());
        CompletableFuture<Thread> mainThread = new CompletableFuture<>();
        made.get(0).callSoonThreadsafe(() -> {
            mainThread.complete(Thread.currentThread());
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300); // busy, deaf to interrupts
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        Thread busy = mainThread.get(30, TimeUnit.SECONDS);
        Thread.currentThread().interrupt();
        try {
            first.deactivate();
        } finally {
            assertTrue("the interrupt status is left set", Thread.interrupted());
        }
        assertTrue("the main thread ended with the stop", !busy.isAlive());
    }

    private EventLoopPolicy policy() {
        return (EventLoopPolicy) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {EventLoopPolicy.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "newEventLoop" -> {
                        EventLoop loop = new SelectorEventLoop();
                        made.add(loop);
                        yield loop;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "test policy";
                    default -> null;
                });
    }

    static PolicyConfiguration.Config config() {
        return config(true);
    }

    static PolicyConfiguration.Config config(boolean mainLoop) {
        return (PolicyConfiguration.Config) Proxy.newProxyInstance(MainLoopRestartTest.class.getClassLoader(),
                new Class<?>[] {PolicyConfiguration.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "mainLoop" -> mainLoop;
                    case "mainLoopThread" -> "main-loop-in-test";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }
}
