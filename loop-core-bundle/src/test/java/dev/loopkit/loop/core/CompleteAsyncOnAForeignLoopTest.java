package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.Test;

/**
 * A loop future of a loop that is not one of Loopkit's (any {@link EventLoop}): its
 * {@code completeAsync(supplier)} runs the supplier on that loop as a stage's action, and an Error the
 * supplier throws goes to the loop as a stage's does, as well as failing the future. The supplier was
 * wrapped only on Loopkit's own loops, whose stage executor is one object a loop (an outside review).
 */
public class CompleteAsyncOnAForeignLoopTest {

    @Test
    public void anErrorOfTheSupplierIsHandedToTheLoopAsAStagesIs() {
        List<String> given = new ArrayList<>();
        EventLoop loop = (EventLoop) Proxy.newProxyInstance(EventLoop.class.getClassLoader(), new Class<?>[] {EventLoop.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "callSoonThreadsafe" -> {
                        given.add(args[0].getClass().getSimpleName());
                        if (args[0] instanceof Runnable runnable && given.size() == 1) {
                            runnable.run(); // the queued supplier, run as the loop would run it
                        }
                        yield null;
                    }
                    case "isClosed", "getDebug" -> false;
                    case "hashCode" -> 1;
                    case "equals" -> proxy == args[0];
                    case "toString" -> "foreign loop";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        DefaultLoopFuture<String> future = new DefaultLoopFuture<>(loop);
        future.completeAsync(() -> {
            throw new AssertionError("the supplier's assert");
        });
        assertEquals("the supplier queued as a stage, then its Error handed to the loop", List.of("QueuedStage", "ThrownByStage"), given);
        CompletionException failed = assertThrows(CompletionException.class, future::join);
        assertTrue(failed.getCause() instanceof AssertionError);
    }
}
