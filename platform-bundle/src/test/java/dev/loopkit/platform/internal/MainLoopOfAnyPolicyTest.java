package dev.loopkit.platform.internal;

import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.HoldingChildWatcher;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Test;

/**
 * The platform's main thread under a process-wide policy of the user's own (the API lets anyone
 * implement {@link EventLoopPolicy}), as an outside review tried it: one that cannot make loops, one
 * whose {@code setEventLoop} throws, one whose {@code setEventLoop} attaches no watcher.
 */
public class MainLoopOfAnyPolicyTest {

    private static final long WAIT_SECONDS = 20;

    private final MainLoop mainLoop = new MainLoop();
    private final List<EventLoop> made = new CopyOnWriteArrayList<>();

    @After
    public void tearDown() {
        mainLoop.deactivate();
        ProcessWide.get().policies().setExplicit(null);
        ProcessWide.get().childWatchers().setExplicit(null);
        made.forEach(loop -> {
            if (!loop.isClosed() && !loop.isRunning()) {
                loop.close();
            }
        });
    }

    /** An UnsupportedOperationException (the epoll loop's, out of descriptors) ended the thread for good. */
    @Test(timeout = 120_000)
    public void aPolicyThatCannotMakeLoopsLeavesTheMainThreadWaitingForTheNext() throws Exception {
        ProcessWide.get().policies().setExplicit(policy(() -> {
            throw new UnsupportedOperationException("no loops here");
        }, loop -> { }));
        mainLoop.activate(null, MainLoopRestartTest.config(), Map.of());
        ProcessWide.get().policies().setExplicit(policy(this::selectorLoop, loop -> { }));
        await("a main loop of the next policy running", () -> !made.isEmpty()
                && ProcessWide.get().mainContext().loop() == made.get(0) && made.get(0).isRunning());
    }

    @Test(timeout = 120_000)
    public void aPolicyWhoseSetEventLoopThrowsIsTriedAgainOnlyNowAndThen() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        ProcessWide.get().policies().setExplicit(policy(() -> {
            tries.incrementAndGet();
            return selectorLoop();
        }, loop -> {
            if (loop != null) {
                throw new UnsupportedOperationException("set_event_loop");
            }
        }));
        mainLoop.activate(null, MainLoopRestartTest.config(), Map.of());
        // After the failure the main thread waits for a change (or a second); before, it tried again at
        // once, never waiting, and had made 87,514 loops in 2 s.
        await("the main thread waiting after a failed try", () -> tries.get() >= 1 && mainThreadWaits());
        assertTrue("loops made and closed before it waited: " + tries.get(), tries.get() <= 2);
        assertTrue("each closed", made.stream().allMatch(EventLoop::isClosed));
    }

    /** The safe watcher stayed on the closed old loop, its children never reaped. */
    @Test(timeout = 120_000)
    public void theCurrentWatcherIsAttachedToTheMainLoopOfAPolicyThatDoesNotAttachIt() throws Exception {
        List<EventLoop> attached = new CopyOnWriteArrayList<>();
        ProcessWide.get().childWatchers().setExplicit(new HoldingChildWatcher() {
            @Override
            public void attachLoop(EventLoop loop) {
                attached.add(loop);
            }
        });
        ProcessWide.get().policies().setExplicit(policy(this::selectorLoop, loop -> { }));
        mainLoop.activate(null, MainLoopRestartTest.config(), Map.of());
        await("a main loop running", () -> !made.isEmpty() && made.get(0).isRunning());
        await("the watcher attached to it", () -> attached.contains(made.get(0)));
        assertSame(made.get(0), ProcessWide.get().mainContext().loop());
    }

    private static boolean mainThreadWaits() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(thread -> thread.getName().equals("main-loop-in-test")
                && thread.getState() == Thread.State.TIMED_WAITING);
    }

    private EventLoop selectorLoop() {
        EventLoop loop = new SelectorEventLoop();
        made.add(loop);
        return loop;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue("not within " + WAIT_SECONDS + " s: " + what, System.nanoTime() < deadline);
            Thread.sleep(10);
        }
    }

    /** A policy of the user's own: loops from {@code newLoop}, and a {@code setEventLoop} that does only {@code onSet}. */
    private EventLoopPolicy policy(Supplier<EventLoop> newLoop, Consumer<EventLoop> onSet) {
        return (EventLoopPolicy) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {EventLoopPolicy.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "newEventLoop" -> newLoop.get();
                    case "setEventLoop" -> {
                        onSet.accept((EventLoop) args[0]);
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "a policy of the user's own";
                    default -> null;
                });
    }
}
