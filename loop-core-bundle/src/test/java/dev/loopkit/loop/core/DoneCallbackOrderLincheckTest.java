package dev.loopkit.loop.core;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.Test;

/**
 * LoopFuture: done callbacks run "in the order they were added" (asyncio's __schedule_callbacks).
 * One callback is added while the future is pending; then one thread completes the future while
 * another adds a second callback. Whatever the interleaving, the loop must be handed the first
 * before the second. The loop here is a stub that records what callSoon is given, in order.
 */
public class DoneCallbackOrderLincheckTest {

    private final List<String> scheduled = new ArrayList<>(); // guarded by itself
    private final LoopFuture<String> future;

    public DoneCallbackOrderLincheckTest() {
        EventLoop loop = (EventLoop) Proxy.newProxyInstance(EventLoop.class.getClassLoader(),
                new Class<?>[] {EventLoop.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "callSoon", "callSoonThreadsafe" -> {
                            synchronized (scheduled) {
                                scheduled.add(((dev.loopkit.loop.core.scheduling.CallbackHandle) args[0]).describeCallback());
                            }
                            return null;
                        }
                        case "hashCode" -> {
                            return 1;
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        case "toString" -> {
                            return "stub loop";
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                });
        future = new DefaultLoopFuture<>(loop);
        future.addDoneCallback(named("first"));
    }

    private static Consumer<LoopFuture<String>> named(String name) {
        return new Consumer<>() {
            @Override
            public void accept(LoopFuture<String> f) {
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    @Operation
    public void complete() {
        future.setResult("v");
    }

    @Operation
    public void addSecond() {
        future.addDoneCallback(named("second"));
    }

    @Validate
    public void scheduledInTheOrderAdded() {
        synchronized (scheduled) {
            int first = scheduled.indexOf("first");
            int second = scheduled.indexOf("second");
            if (first >= 0 && second >= 0 && second < first) {
                throw new IllegalStateException("callbacks handed to the loop in the wrong order: " + scheduled);
            }
        }
    }

    @Test
    public void doneCallbacksAreScheduledInTheOrderAdded() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(10)
                .invocationsPerIteration(200)
                .threads(2)
                .actorsPerThread(1)
                .actorsBefore(0)
                .actorsAfter(0);
        new LinChecker(DoneCallbackOrderLincheckTest.class, options).check();
    }
}
