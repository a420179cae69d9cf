package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.OtherThread;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        int[] made = {0};
        return proxy(EventLoopPolicy.class, (method, args) -> switch (method) {
            case "newEventLoop" -> newLoop.apply(made[0]++);
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
