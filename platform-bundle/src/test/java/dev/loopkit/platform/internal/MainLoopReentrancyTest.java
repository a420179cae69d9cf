package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.OtherThread;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.After;
import org.junit.Test;

/**
 * The main loop comes from the process-wide policy, which may be the user's, and so may its loop:
 * the loop's {@code stop()} and {@code close()}, called by the main context, are user code. Either may
 * hand a policy switch to another thread and wait for it; the switch's listener (the main context's
 * own) must not wait for a lock held around that call.
 */
public class MainLoopReentrancyTest {

    private static final long WAIT_SECONDS = OtherThread.WAIT_SECONDS;

    private final MainLoop mainLoop = new MainLoop();

    @After
    public void tearDown() {
        mainLoop.deactivate();
        ProcessWide.get().policies().setExplicit(null);
    }

    /** A policy switch stops the main loop: its stop() hands another switch to another thread. */
    @Test(timeout = 60_000)
    public void aMainLoopWhoseStopWaitsForAnotherThreadsPolicySwitchDoesNotDeadlock() throws Exception {
        CompletableFuture<Boolean> returnedInTime = new CompletableFuture<>();
        CompletableFuture<EventLoop> first = new CompletableFuture<>();
        EventLoopPolicy policy = policy(made -> {
            EventLoop loop = new SelectorEventLoop() {
                @Override
                public void stop() {
                    if (!returnedInTime.isDone()) {
                        returnedInTime.complete(switchedOnAnotherThread(null));
                    }
                    super.stop();
                }
            };
            first.complete(loop);
            return loop;
        });
        ProcessWide.get().policies().setExplicit(policy);
        mainLoop.activate(null, config(), Map.of());
        awaitRunning(first.get(WAIT_SECONDS, TimeUnit.SECONDS));
        ProcessWide.get().policies().setExplicit(policy(made -> new SelectorEventLoop()));
        assertEquals("the other thread's switch returned while the main loop was stopped", true,
                returnedInTime.get(3 * WAIT_SECONDS, TimeUnit.SECONDS));
    }

    /** A loop made while the policy changed is closed unused: its close() hands a switch to another thread. */
    @Test(timeout = 60_000)
    public void aMainLoopClosedUnusedWhoseCloseWaitsForAnotherThreadsPolicySwitchDoesNotDeadlock() throws Exception {
        CompletableFuture<Boolean> returnedInTime = new CompletableFuture<>();
        EventLoopPolicy next = policy(made -> new SelectorEventLoop());
        EventLoopPolicy policy = policy(made -> {
            if (made > 0) {
                return new SelectorEventLoop();
            }
            ProcessWide.get().policies().setExplicit(next); // the policy changes while its loop is made
            return new SelectorEventLoop() {
                @Override
                public void close() {
                    if (!returnedInTime.isDone()) {
                        returnedInTime.complete(switchedOnAnotherThread(null));
                    }
                    super.close();
                }
            };
        });
        ProcessWide.get().policies().setExplicit(policy);
        mainLoop.activate(null, config(), Map.of());
        assertEquals("the other thread's switch returned while the unused loop was closed", true,
                returnedInTime.get(3 * WAIT_SECONDS, TimeUnit.SECONDS));
    }

    /**
     * The policy's own methods are user code the main thread calls: its {@code setEventLoop(loop)} sets
     * another policy on that thread, before the loop runs. The switch's listener stops a loop that has
     * not run yet; the main loop that runs in the end is the new policy's.
     */
    @Test(timeout = 60_000)
    public void aPolicyWhoseSetEventLoopSwitchesThePolicyGivesWayToTheNewOne() throws Exception {
        CompletableFuture<EventLoop> nextRuns = new CompletableFuture<>();
        EventLoopPolicy next = policy(made -> newLoopTold(nextRuns));
        EventLoopPolicy policy = policy(made -> new SelectorEventLoop(), (loop, first) -> {
            if (loop != null && first) {
                Asyncio.setEventLoopPolicy(next);
            }
        });
        ProcessWide.get().policies().setExplicit(policy);
        mainLoop.activate(null, config(), Map.of());
        awaitRunning(nextRuns.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(next, ProcessWide.get().policies().current());
    }

    /** Its {@code setEventLoop(null)}, as its main loop ends, sets another policy: that one's loop runs next. */
    @Test(timeout = 60_000)
    public void aPolicyWhoseSetEventLoopNullSwitchesThePolicyGivesWayToTheNewOne() throws Exception {
        CompletableFuture<EventLoop> nextRuns = new CompletableFuture<>();
        CompletableFuture<EventLoop> firstRuns = new CompletableFuture<>();
        EventLoopPolicy next = policy(made -> newLoopTold(nextRuns));
        EventLoopPolicy third = policy(made -> new SelectorEventLoop());
        EventLoopPolicy policy = policy(made -> newLoopTold(firstRuns), (loop, first) -> {
            if (loop == null) {
                Asyncio.setEventLoopPolicy(next); // as its loop goes, on the main thread
            }
        });
        ProcessWide.get().policies().setExplicit(policy);
        mainLoop.activate(null, config(), Map.of());
        awaitRunning(firstRuns.get(WAIT_SECONDS, TimeUnit.SECONDS));
        ProcessWide.get().policies().setExplicit(third); // ends the first policy's loop
        awaitRunning(nextRuns.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(next, ProcessWide.get().policies().current());
    }

    /** The main loop's {@code stop()}, called by a switch's listener on the switching thread, switches again there. */
    @Test(timeout = 60_000)
    public void aMainLoopWhoseStopSwitchesThePolicyOnTheSameThreadGivesWayToTheLastOne() throws Exception {
        CompletableFuture<EventLoop> firstRuns = new CompletableFuture<>();
        CompletableFuture<EventLoop> lastRuns = new CompletableFuture<>();
        EventLoopPolicy last = policy(made -> newLoopTold(lastRuns));
        EventLoopPolicy between = policy(made -> new SelectorEventLoop());
        EventLoopPolicy policy = policy(made -> {
            EventLoop loop = new SelectorEventLoop() {
                @Override
                public void stop() {
                    if (ProcessWide.get().policies().current() == between) {
                        Asyncio.setEventLoopPolicy(last);
                    }
                    super.stop();
                }
            };
            loop.callSoon(() -> firstRuns.complete(loop));
            return loop;
        });
        ProcessWide.get().policies().setExplicit(policy);
        mainLoop.activate(null, config(), Map.of());
        awaitRunning(firstRuns.get(WAIT_SECONDS, TimeUnit.SECONDS));
        Asyncio.setEventLoopPolicy(between);
        awaitRunning(lastRuns.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(last, ProcessWide.get().policies().current());
    }

    // A loop that completes `runs` with itself once it runs.
    private static EventLoop newLoopTold(CompletableFuture<EventLoop> runs) {
        EventLoop loop = new SelectorEventLoop();
        loop.callSoon(() -> runs.complete(loop));
        return loop;
    }

    // Makes another thread set the explicit policy and waits for it, as long as a test may: whether it returned.
    private static boolean switchedOnAnotherThread(EventLoopPolicy policy) {
        return OtherThread.returns(() -> ProcessWide.get().policies().setExplicit(policy));
    }

    private static void awaitRunning(EventLoop loop) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!loop.isRunning() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    // A policy that makes loops with newLoop (given how many it made before) and ignores the rest.
    private static EventLoopPolicy policy(Function<Integer, EventLoop> newLoop) {
        return policy(newLoop, (loop, first) -> { });
    }

    // The same, whose setEventLoop calls setLoop with the loop and whether it is the first non-null one.
    private static EventLoopPolicy policy(Function<Integer, EventLoop> newLoop, BiConsumer<EventLoop, Boolean> setLoop) {
        int[] made = {0};
        boolean[] set = {false};
        return proxy(EventLoopPolicy.class, (method, args) -> switch (method) {
            case "newEventLoop" -> newLoop.apply(made[0]++);
            case "setEventLoop" -> {
                EventLoop loop = (EventLoop) args[0];
                boolean first = loop != null && !set[0];
                set[0] |= loop != null;
                setLoop.accept(loop, first);
                yield null;
            }
            default -> null;
        });
    }

    private static PolicyConfiguration.Config config() {
        return proxy(PolicyConfiguration.Config.class, (method, args) -> switch (method) {
            case "mainLoop" -> true;
            case "mainLoopThread" -> "main-loop-in-test";
            default -> null;
        });
    }

    private interface Answers {
        Object answer(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Answers answers) {
        return type.cast(Proxy.newProxyInstance(MainLoopReentrancyTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> type.getSimpleName();
                    default -> answers.answer(method.getName(), args);
                }));
    }
}
